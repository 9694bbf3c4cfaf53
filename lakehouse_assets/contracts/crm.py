"""Contracts of the crm source's tables (SPEC §7, docs/sources.md "crm").

silver/crm_contacts and silver/crm_deals hold the typed records (one per (id, updated_at)),
quarantine/crm_* the text as extracted with the reason, silver/dim_contact the SCD2
versions (a deleted contact has none current), gold/sales_pipeline_monthly the pipeline per
month, store and stage, and audit/source_watermarks one high-water mark per CRM table.
"""

from __future__ import annotations

from pandera.pyspark import Check, Column, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import BIG_MONEY, FINGERPRINT_COL, MONEY, PARTITION_COLUMN
from lakehouse_assets.contracts.base import CURRENCY_PATTERN, contract, field, row_rule, unique_rule
from lakehouse_assets.contracts.columns import PII_FINGERPRINT
from lakehouse_assets.sources import CRM_CONTACTS, CRM_SOURCES, DEAL_STAGES, LIFECYCLE_STAGES, Source

CRM_REASONS = ("missing_value", "bad_type", "out_of_range", "unknown_currency")
HEX64 = r"^[0-9a-f]{64}$"
PII = "personal data: masked in silver, see config/masking.yaml"
DESCRIPTIONS = {
    "contact_id": "CRM contact identifier.",
    "customer_id": "The point-of-sale customer of the contact; null when none.",
    "first_name": f"First name ({PII}).", "last_name": f"Last name ({PII}).",
    "email": f"E-mail address ({PII}).", "phone": f"Phone number ({PII}).",
    "lifecycle_stage": "lead, prospect, customer or churned.",
    "owner_sales_person_id": "Sales person who owns the contact.",
    "created_at": "When the record was created in the CRM (UTC).",
    "updated_at": "When this state was committed in the CRM (UTC); the extraction's watermark column.",
    "is_deleted": "True when the record was deleted in the CRM (soft delete).",
    "deal_id": "CRM deal identifier.", "store_id": "Store the deal belongs to.",
    "stage": "open, won or lost.", "amount": "Deal amount in its currency; null when not yet known.",
    "currency": "ISO 4217 code of the amount.", "expected_close_date": "When the deal is expected to close.",
    "_extracted_at": "When the extraction that read this record ran (UTC).",
    "_run_id": "Dagster run of that extraction.",
    "_extract_mode": "incremental or full.",
    PARTITION_COLUMN: "Date of updated_at (bronze's partition).",
}
_TYPES = {"created_at": T.TimestampType(), "updated_at": T.TimestampType(), "is_deleted": T.BooleanType(),
          "amount": MONEY, "expected_close_date": T.DateType()}
_CHECKS = {"lifecycle_stage": [Check.isin(list(LIFECYCLE_STAGES))], "stage": [Check.isin(list(DEAL_STAGES))],
           "amount": [Check.ge(0)], "currency": [Check.str_matches(CURRENCY_PATTERN)]}


def _typed(source: Source) -> dict[str, Column]:
    columns = {c: field(_TYPES.get(c, T.StringType()), DESCRIPTIONS[c], nullable=c not in source.required,
                        checks=_CHECKS.get(c, ())) for c in source.columns}
    if source.pii:
        columns[FINGERPRINT_COL] = field(T.StringType(), PII_FINGERPRINT, nullable=False,
                                         checks=[Check.str_matches(HEX64)])
    return columns


def silver_crm_contract(source: Source) -> DataFrameSchema:
    columns = _typed(source)
    columns["_extracted_at"] = field(T.TimestampType(), DESCRIPTIONS["_extracted_at"], nullable=False)
    columns["_run_id"] = field(T.StringType(), DESCRIPTIONS["_run_id"], nullable=False)
    return contract(f"silver/{source.name}", f"Valid, typed CRM {source.name[4:]} records, one per (id, updated_at).",
                    columns, unique=list(source.key))


def quarantine_crm_contract(source: Source) -> DataFrameSchema:
    columns = {c: field(T.StringType(), f"As extracted (text). {DESCRIPTIONS[c]}") for c in source.columns}
    columns["reason"] = field(T.StringType(), "First SPEC §3 rule the row failed.", nullable=False,
                              checks=[Check.isin(list(CRM_REASONS))])
    columns["reason_detail"] = field(T.StringType(), "The failing column.", nullable=False)
    columns.update({c: field(T.TimestampType() if c == "_extracted_at" else T.DateType()
                             if c == PARTITION_COLUMN else T.StringType(), DESCRIPTIONS[c])
                    for c in ("_extracted_at", "_run_id", "_extract_mode", PARTITION_COLUMN)})
    return contract(f"quarantine/{source.name}", f"CRM {source.name[4:]} rows that failed a SPEC §3 rule.",
                    columns, unique=list(source.key))


def dim_contact_contract() -> DataFrameSchema:
    typed = _typed(CRM_CONTACTS)
    columns = {"contact_sk": field(T.LongType(), "Surrogate key of the contact version (never -1).",
                                   nullable=False, checks=[Check.ge(0)])}
    columns.update({c: typed[c] for c in (
        "contact_id", "customer_id", "first_name", "last_name", "email", "phone", FINGERPRINT_COL,
        "lifecycle_stage", "owner_sales_person_id", "created_at", "updated_at")})
    columns["valid_from"] = field(T.TimestampType(), "Start of the version (inclusive).", nullable=False)
    columns["valid_to"] = field(T.TimestampType(), "End of the version (exclusive): the next version's start "
                                "or the deletion; null while current.")
    columns["is_current"] = field(T.BooleanType(), "True for the contact's current version (none once deleted).",
                                  nullable=False)
    rules = [
        row_rule("valid_to_after_valid_from", "valid_to > valid_from", ("valid_to",),
                 lambda: F.col("valid_to") <= F.col("valid_from")),
        row_rule("is_current_iff_open", "is_current exactly when valid_to is null", ("is_current",),
                 lambda: F.col("is_current") != F.col("valid_to").isNull()),
        unique_rule(("contact_id", "valid_from")),
    ]
    return contract("silver/dim_contact", "dim_contact: SCD type 2 of crm_contacts; a deletion closes the "
                    "current version.", columns, unique=["contact_sk"], rules=rules)


def sales_pipeline_contract() -> DataFrameSchema:
    columns = {
        "month": field(T.DateType(), "First day of the month.", nullable=False),
        "store_id": field(T.StringType(), DESCRIPTIONS["store_id"], nullable=False),
        "stage": field(T.StringType(), DESCRIPTIONS["stage"], nullable=False, checks=[Check.isin(list(DEAL_STAGES))]),
        "deals_count": field(T.LongType(), "Deals in the stage at the month's end (deleted deals left out).",
                             nullable=False, checks=[Check.ge(0)]),
        "amount_usd": field(BIG_MONEY, "Their amounts in USD at the latest rate on or before the month's last "
                            "day; null amounts left out (null when none is left)."),
        "entered_in_month": field(T.LongType(), "Deals that entered the stage (changed to it or were created in "
                                  "it) during the month.", nullable=False, checks=[Check.ge(0)]),
    }
    rules = [row_rule("a_row_has_deals_or_entries", "deals_count or entered_in_month is above 0",
                      ("deals_count",), lambda: (F.col("deals_count") == 0) & (F.col("entered_in_month") == 0))]
    return contract("gold/sales_pipeline_monthly", "The deal pipeline per month, store and stage.", columns,
                    unique=["month", "store_id", "stage"], rules=rules, window_column="month")


def source_watermarks_contract() -> DataFrameSchema:
    columns = {
        "source": field(T.StringType(), "Bronze table the mark belongs to (crm_contacts, crm_deals).", False),
        "source_table": field(T.StringType(), "The table read in the source database.", False),
        "high_water_mark": field(T.TimestampType(), "Greatest updated_at extracted so far; the next "
                                 "extraction reads from it minus the overlap."),
        "lower_bound": field(T.TimestampType(), "Rows read had updated_at >= this (null: a full extract)."),
        "upper_bound": field(T.TimestampType(), "Rows read had updated_at < this (end of the run's last day).",
                             False),
        "mode": field(T.StringType(), "incremental or full.", False, [Check.isin(["incremental", "full"])]),
        "rows_read": field(T.LongType(), "Rows the last extraction read.", False, [Check.ge(0)]),
        "rows_added": field(T.LongType(), "Of those, rows bronze did not hold yet.", False, [Check.ge(0)]),
        "extracted_at": field(T.TimestampType(), "When the last extraction ran (UTC).", False),
        "run_id": field(T.StringType(), "Dagster run of the last extraction.", False),
    }
    return contract("audit/source_watermarks", "The high-water mark of each incrementally read source table, "
                    "recorded after its bronze commit.", columns, unique=["source"])


CRM_CONTRACTS: dict[tuple[str, str], DataFrameSchema] = {
    **{("silver", name): silver_crm_contract(s) for name, s in CRM_SOURCES.items()},
    **{("quarantine", name): quarantine_crm_contract(s) for name, s in CRM_SOURCES.items()},
    ("silver", "dim_contact"): dim_contact_contract(),
    ("gold", "sales_pipeline_monthly"): sales_pipeline_contract(),
    ("audit", "source_watermarks"): source_watermarks_contract(),
}
