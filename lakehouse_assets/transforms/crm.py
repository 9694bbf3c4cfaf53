"""The crm source (SPEC §7) from JDBC rows to bronze, silver, quarantine and dim_contact.

Bronze keeps the CRM's values as text (timestamps `yyyy-MM-dd HH:mm:ss[.ffffff]`, booleans
`true`/`false`), so the rules of SPEC §3 read them as they read landed lines and a value the
database accepted but the lakehouse does not (an unknown stage, a lower-case currency) is
quarantined with its reason, never dropped. Rules run in SPEC order in one projection; the
first failure is the reason. Bronze holds one row per (id, updated_at): the extraction
de-duplicates, so silver's own de-duplication only guards against copies that parse equal.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import PARTITION_COLUMN, UPDATED_AT_COL
from lakehouse_assets.sources import CRM_CONTACTS, CRM_DEALS, DEAL_STAGES, LIFECYCLE_STAGES, ColumnType, Source
from lakehouse_assets.transforms.scd2 import scd2_versions
from lakehouse_assets.transforms.validation import (
    BAD_TYPE,
    MISSING,
    OUT_OF_RANGE,
    UNKNOWN_CURRENCY,
    is_missing,
    parsed,
)

EXTRACTED_AT, RUN_ID, EXTRACT_MODE = "_extracted_at", "_run_id", "_extract_mode"
BRONZE_LINEAGE = (EXTRACTED_AT, RUN_ID, EXTRACT_MODE, PARTITION_COLUMN)
SILVER_LINEAGE = (EXTRACTED_AT, RUN_ID)
DELETED = "is_deleted"
OUTCOME, SILVER, QUARANTINE, DUPLICATE = "_outcome", "silver", "quarantine", "duplicate"
REASONS = (MISSING, BAD_TYPE, OUT_OF_RANGE, UNKNOWN_CURRENCY)
TIMESTAMP_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?$"
BOOLEAN_TEXT = ("true", "false")
# Enumerated columns of SPEC §7: a value outside the list is `out_of_range`.
ALLOWED = {"lifecycle_stage": LIFECYCLE_STAGES, "stage": DEAL_STAGES}
TYPED = "__typed_"


def as_text(column: str, dtype: T.DataType) -> Column:
    """A JDBC value as bronze keeps it: text, timestamps to the microsecond only when needed."""
    value = F.col(column)
    if isinstance(dtype, T.TimestampType):
        whole = F.date_format(value, "yyyy-MM-dd HH:mm:ss")
        return F.when(F.date_format(value, "SSSSSS") == "000000", whole) \
            .otherwise(F.date_format(value, "yyyy-MM-dd HH:mm:ss.SSSSSS"))
    if isinstance(dtype, T.BooleanType):
        return F.when(value, F.lit("true")).when(~value, F.lit("false"))
    return value.cast(T.StringType())


def bronze_rows(jdbc_rows: DataFrame, source: Source, extracted_at: str, run_id: str, mode: str) -> DataFrame:
    """The rows read from the CRM as bronze: the source's columns as text, then lineage
    (`_partition_date` = the date of `updated_at`; `extracted_at` is UTC text, cast in the
    session time zone). Missing columns are null text."""
    types = {f.name: f.dataType for f in jdbc_rows.schema.fields}
    values = [as_text(c, types[c]).alias(c) if c in types else F.lit(None).cast("string").alias(c)
              for c in source.columns]
    return jdbc_rows.select(
        *values,
        F.lit(extracted_at).cast("timestamp").alias(EXTRACTED_AT),
        F.lit(run_id).alias(RUN_ID),
        F.lit(mode).alias(EXTRACT_MODE),
        F.to_date(F.col(UPDATED_AT_COL)).alias(PARTITION_COLUMN),
    ).dropDuplicates([*source.key])


def typed_value(source: Source, column: str) -> Column:
    """The typed value of a bronze text column, null when empty or not parseable."""
    raw = F.col(column)
    if column == DELETED:
        return F.when(raw.isin(*BOOLEAN_TEXT), raw == "true")
    if source.type_of(column) == ColumnType.TIMESTAMP:
        return F.when(raw.rlike(TIMESTAMP_TEXT), raw.cast(T.TimestampType()))
    return parsed(source, column)


def _needs_parsing(source: Source, column: str) -> bool:
    return column == DELETED or source.type_of(column) != ColumnType.STRING


def rule_checks(source: Source, currencies: Sequence[str]) -> list[tuple[str, Column, str]]:
    """(reason, failed, column) of every SPEC §3 rule for a crm table, in rule order, on a
    frame that carries the `__typed_` columns."""
    typed = lambda c: F.col(TYPED + c)  # noqa: E731 - keeps the rules readable
    checks = [(MISSING, is_missing(c), c) for c in source.required]
    checks += [(BAD_TYPE, ~is_missing(c) & typed(c).isNull(), c) for c in source.columns if _needs_parsing(source, c)]
    checks += [(OUT_OF_RANGE, ~F.col(c).isin(*allowed), c) for c, allowed in ALLOWED.items() if c in source.columns]
    if "amount" in source.columns:
        checks.append((OUT_OF_RANGE, typed("amount") < 0, "amount"))
    if source.currency_column:
        checks.append((UNKNOWN_CURRENCY, ~F.col(source.currency_column).isin(*currencies), source.currency_column))
    return checks


def classify(bronze: DataFrame, source: Source, currencies: Sequence[str]) -> DataFrame:
    """Bronze rows with `reason`, `reason_detail`, `_outcome` and the hidden typed columns.

    Valid rows are ranked per typed key (id, updated_at), the latest extraction first;
    the others are duplicates."""
    typed_cols = [typed_value(source, c).alias(TYPED + c) for c in source.columns if _needs_parsing(source, c)]
    frame = bronze.select("*", *typed_cols)
    failure = F.coalesce(*[
        F.when(F.coalesce(failed, F.lit(False)), F.struct(F.lit(reason).alias("r"), F.lit(column).alias("d")))
        for reason, failed, column in rule_checks(source, currencies)
    ])
    flagged = frame.withColumn("__failure", failure).select(
        "*", F.col("__failure.r").alias("reason"), F.col("__failure.d").alias("reason_detail")).drop("__failure")
    id_col = source.key[0]
    newest = Window.partitionBy(F.col("reason").isNull(), F.col(id_col), F.col(TYPED + UPDATED_AT_COL)) \
        .orderBy(F.col(EXTRACTED_AT).desc(), F.col(RUN_ID).desc())
    outcome = (F.when(F.col("reason").isNotNull(), F.lit(QUARANTINE))
               .when(F.row_number().over(newest) > 1, F.lit(DUPLICATE)).otherwise(F.lit(SILVER)))
    return flagged.withColumn(OUTCOME, outcome)


def _column_value(source: Source, column: str) -> Column:
    return F.col(TYPED + column) if _needs_parsing(source, column) else F.when(F.col(column) != "", F.col(column))


def silver_rows(classified: DataFrame, source: Source) -> DataFrame:
    """Valid rows, typed (is_deleted boolean, amount decimal(14,2)), with their extraction lineage."""
    values = [_column_value(source, c).alias(c) for c in source.columns]
    return classified.where(F.col(OUTCOME) == SILVER).select(*values, *SILVER_LINEAGE)


def quarantine_rows(classified: DataFrame, source: Source) -> DataFrame:
    """Failed rows as extracted (text), with the first failed rule and lineage."""
    return classified.where(F.col(OUTCOME) == QUARANTINE).select(
        *source.columns, "reason", "reason_detail", *BRONZE_LINEAGE)


def accounting(classified: DataFrame) -> dict[str, int]:
    """bronze = silver + quarantine + duplicates, and quarantine per reason, in one job."""
    counts = {"bronze": 0, SILVER: 0, QUARANTINE: 0, DUPLICATE: 0, **{f"{QUARANTINE}.{r}": 0 for r in REASONS}}
    for row in classified.groupBy(OUTCOME, "reason").count().collect():
        counts["bronze"] += row["count"]
        counts[row[OUTCOME]] += row["count"]
        if row["reason"] is not None:
            counts[f"{QUARANTINE}.{row['reason']}"] += row["count"]
    return counts


# dim_contact: SCD2 over the contact's columns; created_at is no tracked attribute (like
# joined_on), is_deleted is: a deletion starts a "deleted" version, which closes the live
# one and is then dropped, so a deleted contact has no current version.
DIM_CONTACT_COLUMNS = (
    "contact_id", "customer_id", "first_name", "last_name", "email", "phone", "pii_fingerprint",
    "lifecycle_stage", "owner_sales_person_id", "created_at", "updated_at",
)
UNTRACKED = ("contact_id", "created_at", "updated_at")


def dim_contact(contacts: DataFrame) -> DataFrame:
    """SCD2 versions of silver/crm_contacts records (all their history); a record with
    is_deleted ends the version before it (valid_to = its updated_at) and starts none."""
    tracked = [c for c in (*DIM_CONTACT_COLUMNS, DELETED) if c not in UNTRACKED]
    records = contacts.select(*DIM_CONTACT_COLUMNS, DELETED)
    versions = scd2_versions(records, "contact_id", tracked, "contact_sk", [*DIM_CONTACT_COLUMNS, DELETED])
    return versions.where(~F.col(DELETED)).drop(DELETED)


SOURCES = {CRM_CONTACTS.name: CRM_CONTACTS, CRM_DEALS.name: CRM_DEALS}
