"""SCD type 2 versions of a master-data entity (SPEC §4, silver dimensions).

The versions are a function of the *set* of change records of an entity, never of
the order in which days were processed or backfilled: records are de-duplicated
by (id, updated_at), sorted by `updated_at`, and a version starts wherever the
tracked attributes change. Rebuild an entity by passing all its records ever
ingested; the caller selects the affected ids, so a day's run stays incremental.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from lakehouse_assets.columns import PARTITION_COLUMN, UPDATED_AT_COL
from lakehouse_assets.transforms.keys import surrogate_key

LINEAGE_PREFIX = "_"
SOURCE_FILE_COL = "_source_file"
# When one (id, updated_at) arrived more than once, the latest delivery wins.
LINEAGE_RECENCY_COLS = (PARTITION_COLUMN, SOURCE_FILE_COL)

VALID_FROM_COL = "valid_from"
VALID_TO_COL = "valid_to"
IS_CURRENT_COL = "is_current"

_ROW_NUMBER_COL = "_scd_row_number"
_STARTS_VERSION_COL = "_scd_starts_version"


def source_columns(records: DataFrame) -> list[str]:
    """The business columns of records, in their order: everything but `_` lineage."""
    return [c for c in records.columns if not c.startswith(LINEAGE_PREFIX)]


def pick_one_per_key(
    records: DataFrame, key_cols: Sequence[str], latest_first: Sequence[str] = ()
) -> DataFrame:
    """One row per `key_cols`: the greatest `latest_first` columns, then the latest
    delivery (`_partition_date`, `_source_file`), then the smallest values.

    The last tie-breaker makes the pick depend only on the set of rows, so even two
    copies that differ but share every lineage value give the same answer on every run.
    """
    order: list[Column] = [F.col(c).desc_nulls_last() for c in latest_first]
    order += [F.col(c).desc_nulls_last() for c in LINEAGE_RECENCY_COLS if c in records.columns]
    order += [F.col(c).asc_nulls_first() for c in source_columns(records) if c not in key_cols]
    window = Window.partitionBy(*key_cols).orderBy(*(order or [F.lit(1)]))
    return (
        records.withColumn(_ROW_NUMBER_COL, F.row_number().over(window))
        .where(F.col(_ROW_NUMBER_COL) == 1)
        .select(*records.columns)
    )


def _starts_version(id_col: str, tracked_cols: Sequence[str]) -> Column:
    """True for an entity's first record and for a record whose tracked attributes
    differ (null-safe) from the record just before it in `updated_at` order."""
    by_time = Window.partitionBy(id_col).orderBy(UPDATED_AT_COL)
    unchanged = reduce(
        operator.and_,
        [F.col(c).eqNullSafe(F.lag(c).over(by_time)) for c in tracked_cols],
        F.lit(True),
    )
    return (F.row_number().over(by_time) == 1) | ~unchanged


def scd2_versions(
    records: DataFrame,
    id_col: str,
    tracked_cols: Sequence[str],
    sk_col: str,
    columns: Sequence[str] | None = None,
) -> DataFrame:
    """The SCD2 versions of the entities in `records` (all their history, any order).

    A version carries its first record's values (so `updated_at` = `valid_from`), is
    valid until the next version's `valid_from` (exclusive; null when current) and is
    keyed by `surrogate_key(id, valid_from)`, which survives any rebuild.

    Output: `sk_col` bigint, `columns` (default: the non-lineage columns of records,
    in their order; types as given), valid_from, valid_to (timestamp), is_current.
    """
    columns = list(columns) if columns is not None else source_columns(records)
    unique = pick_one_per_key(records, [id_col, UPDATED_AT_COL])
    starts = (
        unique.withColumn(_STARTS_VERSION_COL, _starts_version(id_col, tracked_cols))
        .where(F.col(_STARTS_VERSION_COL))
        .withColumn(VALID_FROM_COL, F.col(UPDATED_AT_COL))
    )
    by_start = Window.partitionBy(id_col).orderBy(VALID_FROM_COL)
    versions = starts.withColumn(VALID_TO_COL, F.lead(VALID_FROM_COL).over(by_start))
    return versions.select(
        surrogate_key(id_col, VALID_FROM_COL).alias(sk_col),
        *columns,
        F.col(VALID_FROM_COL).cast("timestamp").alias(VALID_FROM_COL),
        F.col(VALID_TO_COL).cast("timestamp").alias(VALID_TO_COL),
        F.col(VALID_TO_COL).isNull().alias(IS_CURRENT_COL),
    )
