"""Contracts of the silver dimensions (SPEC §4, decisions 12-15).

SCD2 dimensions: one row per version, keyed by a surrogate key that is never -1,
versions of an entity tile time (valid_to exclusive, null for the current one) and
exactly one version per entity is current. dim_store is SCD1, dim_date a calendar.
The master-data dimensions are checked whole (a partition rebuilds entities, not
dates); dim_date by the run's dates.
"""

from __future__ import annotations

from pandera.pyspark import Check, Column, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.contracts.base import aggregate_rule, contract, field, row_rule, unique_rule
from lakehouse_assets.contracts.silver import typed_fields
from lakehouse_assets.dimensions import DIMENSIONS, SCD2, Dimension
from lakehouse_assets.sources import SOURCES

SK_CHECKS = (Check.ge(0),)  # a hash key: non-negative, so never the unknown key -1


def _entity_columns(dim: Dimension) -> dict[str, Column]:
    source = SOURCES[dim.source]
    typed = typed_fields(source)
    columns = {dim.sk_col: field(T.LongType(), f"Surrogate key of the {dim.source} version (never -1).",
                                 nullable=False, checks=SK_CHECKS)}
    columns.update({c: typed[c] for c in dim.columns})
    return columns


def _one_current_version(id_col: str):
    """Current versions beyond one per entity, plus entities without a current version."""
    current, entity = F.col("is_current"), F.col(id_col)
    current_entities = F.count_distinct(F.when(current, entity))
    return (F.count(F.when(current, F.lit(1))) - current_entities) + (F.count_distinct(entity) - current_entities)


def _scd2_rules(dim: Dimension) -> list[Check]:
    return [
        row_rule("valid_to_after_valid_from", "valid_to > valid_from", ("valid_to",),
                 lambda: F.col("valid_to") <= F.col("valid_from")),
        row_rule("is_current_iff_open", "is_current exactly when valid_to is null", ("is_current",),
                 lambda: F.col("is_current") != F.col("valid_to").isNull()),
        row_rule("valid_from_is_updated_at", "a version starts at its first record's updated_at",
                 ("valid_from",), lambda: F.col("valid_from") != F.col("updated_at")),
        unique_rule((dim.id_col, "valid_from")),
        aggregate_rule("one_current_version", "every entity has exactly one current version",
                       (dim.id_col, "is_current"), lambda: _one_current_version(dim.id_col)),
    ]


def dimension_contract(dim: Dimension) -> DataFrameSchema:
    columns = _entity_columns(dim)
    if dim.scd_type == SCD2:
        columns["valid_from"] = field(T.TimestampType(), "Start of the version (inclusive).", nullable=False)
        columns["valid_to"] = field(T.TimestampType(), "End of the version (exclusive); null while current.")
        columns["is_current"] = field(T.BooleanType(), "True for the entity's current version.", nullable=False)
        rules = _scd2_rules(dim)
        kind = "SCD type 2"
    else:
        rules = [unique_rule((dim.id_col,))]
        kind = "SCD type 1 (latest updated_at)"
    return contract(f"silver/{dim.table}", f"{dim.table}: {kind} of {dim.source}.", columns,
                    unique=[dim.sk_col], rules=rules)


def date_contract() -> DataFrameSchema:
    def part(description: str, low: int, high: int) -> Column:
        return field(T.IntegerType(), description, nullable=False, checks=[Check.in_range(low, high)])

    columns = {
        "date_key": field(T.IntegerType(), "The date as an int yyyymmdd.", nullable=False),
        "date": field(T.DateType(), "The business date.", nullable=False),
        "year": field(T.IntegerType(), "Calendar year.", nullable=False),
        "quarter": part("Quarter, 1-4.", 1, 4),
        "month": part("Month, 1-12.", 1, 12),
        "day_of_month": part("Day of the month, 1-31.", 1, 31),
        "day_of_week": part("Day of the week, 1 = Monday ... 7 = Sunday.", 1, 7),
        "is_weekend": field(T.BooleanType(), "Saturday or Sunday.", nullable=False),
    }
    rules = [
        row_rule("date_key_is_yyyymmdd", "date_key = yyyymmdd of date", ("date_key",),
                 lambda: F.col("date_key") != F.date_format("date", "yyyyMMdd").cast("int")),
        row_rule("weekend_days", "is_weekend exactly for day_of_week 6 and 7", ("is_weekend",),
                 lambda: F.col("is_weekend") != (F.col("day_of_week") >= 6)),
    ]
    return contract("silver/dim_date", "One row per processed business date.", columns,
                    unique=["date_key"], rules=rules, window_column="date")


DIMENSION_CONTRACTS = {("silver", d.table): dimension_contract(d) for d in DIMENSIONS.values()}
DIMENSION_CONTRACTS[("silver", "dim_date")] = date_contract()
