"""SPEC §3 validation: classify every bronze row as silver, quarantine or duplicate.

All rules are column expressions evaluated in one pass; the first failing rule,
in SPEC order, gives `reason` and `reason_detail` (the column, or what was wrong
with the line). Valid rows are then de-duplicated on the source's key, the most
recently ingested copy winning; lines of a re-delivered identical file count as
duplicates as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import PARSE_ERROR, PARTITION_COLUMN, RAW_LINE
from lakehouse_assets.sources import ColumnType, Source

MALFORMED = "malformed_row"
MISSING = "missing_value"
BAD_TYPE = "bad_type"
OUT_OF_RANGE = "out_of_range"
WRONG_PARTITION = "wrong_partition"
UNKNOWN_CURRENCY = "unknown_currency"
REASONS = (MALFORMED, MISSING, BAD_TYPE, OUT_OF_RANGE, WRONG_PARTITION, UNKNOWN_CURRENCY)

OUTCOME = "_outcome"
SILVER, QUARANTINE, DUPLICATE = "silver", "quarantine", "duplicate"

MONEY = T.DecimalType(14, 2)
DECIMAL_TYPES = {"usd_per_unit": T.DecimalType(18, 8)}

_PATTERNS = {
    ColumnType.INTEGER: r"^[+-]?[0-9]+$",
    ColumnType.DECIMAL: r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
    ColumnType.DATE: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    ColumnType.TIMESTAMP: r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
    ColumnType.CURRENCY: r"^[A-Z]{3}$",
}


def is_missing(column: str) -> Column:
    return F.col(column).isNull() | (F.col(column) == "")


def parsed(source: Source, column: str) -> Column:
    """The typed value of a landed text column, or null when empty or not parseable."""
    kind = source.type_of(column)
    raw = F.col(column)
    if kind == ColumnType.STRING:
        return F.when(raw != "", raw)
    target = {
        ColumnType.INTEGER: T.IntegerType(),
        ColumnType.DECIMAL: DECIMAL_TYPES.get(column, MONEY),
        ColumnType.DATE: T.DateType(),
        ColumnType.TIMESTAMP: T.TimestampType(),
        ColumnType.CURRENCY: T.StringType(),
    }[kind]
    return F.when(raw.rlike(_PATTERNS[kind]), raw.cast(target))


def _range_failures(source: Source) -> list[tuple[Column, str]]:
    """(condition, column) pairs of SPEC §3 `out_of_range`, in column order."""
    p = lambda c: parsed(source, c)  # noqa: E731 - a short alias keeps the rules readable
    if source.name == "orders":
        discount = F.coalesce(p("discount_amount"), F.lit(0).cast(MONEY))
        return [
            (p("line_number") < 1, "line_number"),
            (p("quantity") < 1, "quantity"),
            (p("unit_price") < 0, "unit_price"),
            ((discount < 0) | (discount > p("quantity") * p("unit_price")), "discount_amount"),
        ]
    if source.name == "products":
        return [(p("unit_cost_usd") < 0, "unit_cost_usd"), (p("list_price_usd") < 0, "list_price_usd")]
    if source.name == "fx_rates":
        return [(p("usd_per_unit") <= 0, "usd_per_unit")]
    return []


def _partition_failure(source: Source) -> Column | None:
    if source.partition_column is None:
        return None
    value = parsed(source, source.partition_column)
    return F.to_date(value) != F.col(PARTITION_COLUMN)


def rule_checks(source: Source, currencies: Sequence[str]) -> list[tuple[str, Column, Column]]:
    """Every check of SPEC §3 for `source` as (reason, failed, detail), in rule order."""
    checks: list[tuple[str, Column, Column]] = [
        (MALFORMED, F.col(RAW_LINE).isNotNull() | F.col(PARSE_ERROR).isNotNull(),
         F.coalesce(F.col(PARSE_ERROR), F.lit("line could not be parsed")))
    ]
    checks += [(MISSING, is_missing(c), F.lit(c)) for c in source.required]
    checks += [
        (BAD_TYPE, ~is_missing(c) & parsed(source, c).isNull(), F.lit(c))
        for c in source.columns if source.type_of(c) != ColumnType.STRING
    ]
    checks += [(OUT_OF_RANGE, cond, F.lit(c)) for cond, c in _range_failures(source)]
    partition = _partition_failure(source)
    if partition is not None:
        checks.append((WRONG_PARTITION, partition, F.lit(source.partition_column)))
    if source.currency_column:
        known = F.col(source.currency_column).isin(list(currencies))
        checks.append((UNKNOWN_CURRENCY, ~known, F.lit(source.currency_column)))
    return checks


def classify(bronze: DataFrame, source: Source, currencies: Sequence[str]) -> DataFrame:
    """Add `reason`, `reason_detail` (null for a valid row) and `_outcome` to bronze rows."""
    checks = rule_checks(source, currencies)
    failure = F.coalesce(*[
        F.when(F.coalesce(failed, F.lit(False)), F.struct(F.lit(reason).alias("reason"), detail.alias("detail")))
        for reason, failed, detail in checks
    ])
    flagged = bronze.withColumn("_failure", failure).select(
        "*", F.col("_failure.reason").alias("reason"), F.col("_failure.detail").alias("reason_detail")
    ).drop("_failure")
    return mark_duplicates(flagged, source)


def mark_duplicates(flagged: DataFrame, source: Source) -> DataFrame:
    """Among valid rows keep one per key: the most recently ingested copy (latest run,
    then latest-arriving file, then the later line). Lines of a re-delivered identical
    file are duplicates whatever they hold, so quarantine never counts them twice."""
    is_redelivery = F.col("_duplicate_of").isNotNull()
    valid = F.col("reason").isNull() & ~is_redelivery
    # Ranked within one landing date and among valid rows only, so batching days
    # together or one at a time gives the same silver rows.
    newest_first = Window.partitionBy(
        F.col(PARTITION_COLUMN), valid, *[parsed(source, c) for c in source.key]
    ).orderBy(
        F.col("_ingested_at").desc(), F.col("_file_modified_at").desc(),
        F.col("_source_file").desc(), F.col("_row_seq").desc(),
    )
    rank = F.when(valid, F.row_number().over(newest_first))
    outcome = (
        F.when(is_redelivery, F.lit(DUPLICATE))
        .when(F.col("reason").isNotNull(), F.lit(QUARANTINE))
        .when(rank == 1, F.lit(SILVER))
        .otherwise(F.lit(DUPLICATE))
    )
    return flagged.withColumn(OUTCOME, outcome)


def accounting(classified: DataFrame) -> dict[str, int]:
    """Row accounting of SPEC §3 in one Spark job: bronze, silver, quarantine (per reason)
    and duplicates."""
    rows = classified.groupBy(OUTCOME, "reason").count().collect()
    counts = {"bronze": 0, SILVER: 0, QUARANTINE: 0, DUPLICATE: 0}
    counts.update({f"{QUARANTINE}.{r}": 0 for r in REASONS})
    for row in rows:
        counts["bronze"] += row["count"]
        counts[row[OUTCOME]] += row["count"]
        if row["reason"] is not None and row[OUTCOME] == QUARANTINE:
            counts[f"{QUARANTINE}.{row['reason']}"] += row["count"]
    return counts
