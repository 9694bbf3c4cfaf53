"""Build the silver dimensions (SPEC §4) catalogued in `lakehouse_assets/dimensions.py`.

`build_dimension` turns a source's validated change records into a dimension's rows
(SCD2 versions or the SCD1 latest state); `dim_date` is built from the order dates.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.columns import UPDATED_AT_COL
from lakehouse_assets.dimensions import SCD2, Dimension
from lakehouse_assets.transforms.keys import date_key, surrogate_key
from lakehouse_assets.transforms.scd2 import pick_one_per_key, scd2_versions, source_columns

DATE_COL = "date"
FIRST_WEEKEND_DAY = 6  # Saturday, with 1 = Monday


def build_dimension(dim: Dimension, records: DataFrame) -> DataFrame:
    """The rows of `dim` for the entities in `records` (all their history)."""
    if dim.scd_type == SCD2:
        return scd2_versions(records, dim.id_col, dim.tracked_cols, dim.sk_col, dim.columns)
    return scd1_latest(records, dim.id_col, dim.sk_col, dim.columns)


def scd1_latest(
    records: DataFrame, id_col: str, sk_col: str, columns: Sequence[str] | None = None
) -> DataFrame:
    """SCD1: per id the record with the latest `updated_at` (a re-delivered copy of
    it: the latest delivery), keyed by `surrogate_key(id)`.

    Output: `sk_col` bigint, then `columns` (default: the non-lineage columns of
    records, in their order; types as given).
    """
    columns = list(columns) if columns is not None else source_columns(records)
    latest = pick_one_per_key(records, [id_col], latest_first=[UPDATED_AT_COL])
    return latest.select(surrogate_key(id_col).alias(sk_col), *columns)


def date_dimension(dates_df: DataFrame, date_col: str = DATE_COL) -> DataFrame:
    """One row per distinct non-null date of `dates_df[date_col]`.

    Output: date_key int (yyyymmdd), date, year, quarter, month, day_of_month,
    day_of_week (1 = Monday ... 7 = Sunday, ISO), is_weekend (Saturday, Sunday).
    """
    dates = dates_df.select(F.col(date_col).cast("date").alias(DATE_COL)).where(
        F.col(DATE_COL).isNotNull()
    ).distinct()
    # F.weekday is 0 = Monday; ISO numbering starts at 1.
    day_of_week = (F.weekday(DATE_COL) + 1).cast("int")
    return dates.select(
        date_key(DATE_COL).alias("date_key"),
        F.col(DATE_COL),
        F.year(DATE_COL).cast("int").alias("year"),
        F.quarter(DATE_COL).cast("int").alias("quarter"),
        F.month(DATE_COL).cast("int").alias("month"),
        F.dayofmonth(DATE_COL).cast("int").alias("day_of_month"),
        day_of_week.alias("day_of_week"),
        (day_of_week >= FIRST_WEEKEND_DAY).alias("is_weekend"),
    )
