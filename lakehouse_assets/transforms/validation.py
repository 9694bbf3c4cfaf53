"""SPEC §3 validation: classify every bronze row as silver, quarantine or duplicate.

Each landed column that must parse is parsed once: `with_typed` adds its typed value
as a hidden `__typed_<column>` column in one projection, and every rule, the
duplicate ranking and `conform.silver_rows` read those columns. The rules are column
expressions evaluated in one pass; the first failing rule, in SPEC order, gives
`reason` and `reason_detail` (the column, or what was wrong with the line).

Valid rows are then de-duplicated on the source's key within their landing date, the
most recently ingested copy winning; lines of a re-delivered identical file count as
duplicates as a whole. Almost every key occurs once, so only the rows of a key that
occurs more than once are ranked (see `mark_duplicates`): the bulk of the rows is
neither shuffled nor sorted.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import and_

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

# Hidden working columns of a classified frame; silver and quarantine never select them.
TYPED_PREFIX = "__typed_"
_KEY_HASH, _LOSER = "__key_hash", "__loser"
# What identifies a bronze row: `_row_seq` is unique within one read of landing files
# and `_ingested_at` tells reads apart. Bronze sets all three on every line (no nulls).
_ROW = (PARTITION_COLUMN, "_ingested_at", "_row_seq")
# The duplicate ranking, newest copy first (SPEC §3).
_NEWEST_FIRST = ("_ingested_at", "_file_modified_at", "_source_file", "_row_seq")


def is_missing(column: str) -> Column:
    return F.col(column).isNull() | (F.col(column) == "")


def parsed(source: Source, column: str) -> Column:
    """The typed value of a landed text column, or null when empty or not parseable,
    computed from the text (regex, then cast). `with_typed` evaluates it once per row."""
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


def _needs_parsing(source: Source, column: str) -> bool:
    return source.type_of(column) != ColumnType.STRING


def with_typed(bronze: DataFrame, source: Source) -> DataFrame:
    """Bronze rows plus `__typed_<column>` for every column that must parse, in one
    projection. Text columns get none: their typed value is the text ('' as null), which
    costs no more to recompute than to read, and a copy would widen the cached rows."""
    return bronze.select("*", *[
        parsed(source, c).alias(TYPED_PREFIX + c) for c in source.columns if _needs_parsing(source, c)
    ])


def typed(source: Source, column: str) -> Column:
    """A column's typed value in a frame from `with_typed` (or `classify`)."""
    return F.col(TYPED_PREFIX + column) if _needs_parsing(source, column) else parsed(source, column)


def _range_failures(source: Source) -> list[tuple[Column, str]]:
    """(condition, column) pairs of SPEC §3 `out_of_range`, in column order."""
    p = lambda c: typed(source, c)  # noqa: E731 - a short alias keeps the rules readable
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
    return F.to_date(typed(source, source.partition_column)) != F.col(PARTITION_COLUMN)


def rule_checks(source: Source, currencies: Sequence[str]) -> list[tuple[str, Column, Column]]:
    """Every check of SPEC §3 for `source` as (reason, failed, detail), in rule order.
    The expressions read the typed columns: evaluate them on a frame from `with_typed`."""
    checks: list[tuple[str, Column, Column]] = [
        (MALFORMED, F.col(RAW_LINE).isNotNull() | F.col(PARSE_ERROR).isNotNull(),
         F.coalesce(F.col(PARSE_ERROR), F.lit("line could not be parsed")))
    ]
    checks += [(MISSING, is_missing(c), F.lit(c)) for c in source.required]
    checks += [
        (BAD_TYPE, ~is_missing(c) & typed(source, c).isNull(), F.lit(c))
        for c in source.columns if _needs_parsing(source, c)
    ]
    checks += [(OUT_OF_RANGE, cond, F.lit(c)) for cond, c in _range_failures(source)]
    partition = _partition_failure(source)
    if partition is not None:
        checks.append((WRONG_PARTITION, partition, F.lit(source.partition_column)))
    if source.currency_column:
        known = F.col(source.currency_column).isin(list(currencies))
        checks.append((UNKNOWN_CURRENCY, ~known, F.lit(source.currency_column)))
    return checks


def flag(typed_rows: DataFrame, source: Source, currencies: Sequence[str]) -> DataFrame:
    """Add `reason` and `reason_detail` (null for a valid row) to rows from `with_typed`."""
    checks = rule_checks(source, currencies)
    failure = F.coalesce(*[
        F.when(F.coalesce(failed, F.lit(False)), F.struct(F.lit(reason).alias("reason"), detail.alias("detail")))
        for reason, failed, detail in checks
    ])
    return typed_rows.withColumn("_failure", failure).select(
        "*", F.col("_failure.reason").alias("reason"), F.col("_failure.detail").alias("reason_detail")
    ).drop("_failure")


def classify(bronze: DataFrame, source: Source, currencies: Sequence[str]) -> DataFrame:
    """Add `reason`, `reason_detail` (null for a valid row) and `_outcome` to bronze rows,
    and the hidden typed columns that `conform.silver_rows` reads.

    The full frame is typed and checked once and read in one pass; the duplicate
    ranking runs on the side, on the rows of repeated keys only (`ranking_losers`)."""
    flagged = flag(with_typed(bronze, source), source, currencies)
    return mark_duplicates(flagged, ranking_losers(bronze, source, currencies))


def _is_redelivery() -> Column:
    return F.col("_duplicate_of").isNotNull()


def repeated_keys(bronze: DataFrame, source: Source) -> DataFrame:
    """`__key_hash` of every (landing date, key) that more than one bronze row outside
    re-delivered files holds: a hash aggregate over one long per row, no sort.

    A superset of the keys with more than one valid row (invalid rows count too, and
    two keys may share a hash), so it needs only the key columns parsed, not the rules;
    a key outside it has at most one valid row, which wins its ranking."""
    return (bronze.where(~_is_redelivery())
            .groupBy(_key_hash(source).alias(_KEY_HASH)).count()
            .where(F.col("count") > 1).select(_KEY_HASH))


def _key_hash(source: Source) -> Column:
    """A 64-bit hash of (landing date, parsed key) of bronze rows: equal keys, equal hashes."""
    return F.xxhash64(F.col(PARTITION_COLUMN), *[parsed(source, c) for c in source.key])


def ranking_losers(bronze: DataFrame, source: Source, currencies: Sequence[str]) -> DataFrame:
    """`_ROW` of the valid rows that lose the ranking of their (landing date, key): all
    but the newest copy.

    Only bronze rows whose key hash is repeated pass the (broadcast) semi-join; those
    few are typed, checked and ranked, so the shuffle and sort of the window see them
    alone."""
    repeated = F.broadcast(repeated_keys(bronze, source))
    candidates = bronze.join(repeated, _key_hash(source) == F.col(_KEY_HASH), "left_semi")
    flagged = flag(with_typed(candidates, source), source, currencies)
    valid = F.col("reason").isNull() & ~_is_redelivery()
    # Ranked within one landing date and among valid rows only, so batching days
    # together or one at a time gives the same silver rows.
    newest_first = Window.partitionBy(
        F.col(PARTITION_COLUMN), valid, *[typed(source, c) for c in source.key]
    ).orderBy(*[F.col(c).desc() for c in _NEWEST_FIRST])
    ranked = flagged.select(*_ROW, (valid & (F.row_number().over(newest_first) > 1)).alias(_LOSER))
    return ranked.where(_LOSER).select(*_ROW)


def mark_duplicates(flagged: DataFrame, losers: DataFrame) -> DataFrame:
    """Add `_outcome`. Among valid rows one per key and landing date is kept: the most
    recently ingested copy (latest run, then latest-arriving file, then the later line);
    the `losers` (`ranking_losers`) are duplicates. Lines of a re-delivered identical
    file are duplicates whatever they hold, so quarantine never counts them twice.

    The losers are few: broadcast and joined back on the row, the full frame is read in
    one pass, neither shuffled nor sorted."""
    marks = losers.select(*[F.col(c).alias(_LOSER + c) for c in _ROW], F.lit(True).alias(_LOSER))
    # Plain equality (`_ROW` has no nulls): a null-safe key made this join dearer.
    same_row = reduce(and_, [F.col(c) == F.col(_LOSER + c) for c in _ROW])
    marked = flagged.join(F.broadcast(marks), same_row, "left")
    outcome = (
        F.when(_is_redelivery(), F.lit(DUPLICATE))
        .when(F.col("reason").isNotNull(), F.lit(QUARANTINE))
        .when(F.col(_LOSER), F.lit(DUPLICATE))
        .otherwise(F.lit(SILVER))
    )
    return marked.select(*flagged.columns, outcome.alias(OUTCOME))


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
