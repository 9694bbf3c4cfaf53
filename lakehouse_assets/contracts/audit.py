"""Contracts of the audit tables: audit/ingested_files (SPEC §4) and audit/dq_report."""

from __future__ import annotations

from pandera.pyspark import Check, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.contracts.base import contract, field, row_rule
from lakehouse_assets.contracts.silver import HEX64
from lakehouse_assets.sources import LANDING_FORMATS, SOURCES

# The file statuses of audit/ingested_files (written out here: that module imports this one).
DUPLICATE_CONTENT, REJECTED = "duplicate_content", "rejected_format"
STATUSES = ["ingested", DUPLICATE_CONTENT, "no_data_lines", REJECTED]
SEVERITIES = ["ERROR", "WARN"]


def ingested_files_contract() -> DataFrameSchema:
    columns = {
        "path": field(T.StringType(), "The landing file (local path or s3:// URI).", False),
        "source": field(T.StringType(), "Landing source the file belongs to.", False, [Check.isin(list(SOURCES))]),
        "partition_date": field(T.DateType(), "Business date of the file's folder.", False),
        "format": field(T.StringType(), "csv, jsonl or parquet; null for an extension the zone does not accept.",
                        checks=[Check.isin(sorted(set(LANDING_FORMATS.values())))]),
        "size_bytes": field(T.LongType(), "File size in bytes.", False, [Check.ge(0)]),
        "content_hash": field(T.StringType(), "SHA-256 of the file's bytes.", False, [Check.str_matches(HEX64)]),
        "rows": field(T.LongType(), "Data lines bronze read from the file.", False, [Check.ge(0)]),
        "status": field(T.StringType(), "ingested, duplicate_content (re-delivered bytes), no_data_lines or "
                        "rejected_format.", False, [Check.isin(STATUSES)]),
        "duplicate_of": field(T.StringType(), "The earlier file with identical bytes, for a re-delivery."),
        "run_id": field(T.StringType(), "Dagster run that listed the file.", False),
        "file_modified_at": field(T.TimestampType(), "Modification time of the file (arrival order)."),
        "ingested_at": field(T.TimestampType(), "When bronze read the file (UTC).", False),
    }
    rules = [
        row_rule("duplicate_status", "status duplicate_content exactly when duplicate_of is set", ("status",),
                 lambda: (F.col("status") == DUPLICATE_CONTENT) != F.col("duplicate_of").isNotNull()),
        row_rule("rejected_status", "status rejected_format exactly when format is null", ("status",),
                 lambda: (F.col("status") == REJECTED) != F.col("format").isNull()),
    ]
    return contract("audit/ingested_files", "One row per landing file seen.", columns,
                    unique=["path"], rules=rules, window_column="partition_date")


def dq_report_contract() -> DataFrameSchema:
    columns = {
        "date": field(T.DateType(), "Business date the outcome covers.", False),
        "asset_key": field(T.StringType(), "Checked table, layer/table.", False),
        "check_name": field(T.StringType(), "Name of the asset check.", False),
        "passed": field(T.BooleanType(), "Outcome; null when the check did not run for this date."),
        "severity": field(T.StringType(), "ERROR or WARN.", checks=[Check.isin(SEVERITIES)]),
        "blocking": field(T.BooleanType(), "A failed ERROR stops the downstream tables of the run.", False),
        "description": field(T.StringType(), "What the check found."),
        "run_id": field(T.StringType(), "Run that evaluated the check."),
        "evaluated_at": field(T.TimestampType(), "When the check was evaluated (UTC)."),
    }
    return contract("audit/dq_report", "Outcome of every data-quality check per business date.", columns,
                    unique=["date", "asset_key", "check_name"], window_column="date")


AUDIT_CONTRACTS = {
    ("audit", "ingested_files"): ingested_files_contract(),
    ("audit", "dq_report"): dq_report_contract(),
}
