"""The silver dimensions (SPEC §4): what each one is built from and how.

`DIMENSIONS` describes the four master-data dimensions so the asset code can loop
over them; `Dimension.build` turns a source's validated change records into the
dimension rows. `dim_date` is built from the order dates instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.sources import SOURCES
from lakehouse_assets.transforms.keys import date_key, surrogate_key
from lakehouse_assets.transforms.masking import FINGERPRINT_COL
from lakehouse_assets.transforms.scd2 import (
    UPDATED_AT_COL,
    pick_one_per_key,
    scd2_versions,
    source_columns,
)

SCD1 = 1
SCD2 = 2

DATE_COL = "date"
FIRST_WEEKEND_DAY = 6  # Saturday, with 1 = Monday


@dataclass(frozen=True)
class Dimension:
    """One master-data dimension: its table, source, keys and SCD type.

    `tracked_cols` are the attributes whose change starts a new SCD2 version; an
    SCD1 dimension overwrites every attribute, so it tracks none.
    """

    table: str
    source: str
    id_col: str
    sk_col: str
    scd_type: int
    tracked_cols: tuple[str, ...] = ()
    # Columns silver adds to the source's (the PII fingerprint of masked sources).
    extra_cols: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns in landing order (SPEC §2), then `extra_cols`."""
        return SOURCES[self.source].columns + self.extra_cols

    def build(self, records: DataFrame) -> DataFrame:
        """The dimension rows of the entities in `records` (all their history)."""
        if self.scd_type == SCD2:
            return scd2_versions(records, self.id_col, self.tracked_cols, self.sk_col, self.columns)
        return scd1_latest(records, self.id_col, self.sk_col, self.columns)


def _scd2(table: str, source: str, sk_col: str, untracked: tuple[str, ...] = ()) -> Dimension:
    """An SCD2 dimension tracking every source column but the id, updated_at and `untracked`.

    A source with PII also tracks `pii_fingerprint`: its masked columns may hide a
    change (a redacted address), the fingerprint of the raw values does not.
    """
    id_col = SOURCES[source].key[0]
    skipped = {id_col, UPDATED_AT_COL, *untracked}
    extra = (FINGERPRINT_COL,) if SOURCES[source].pii else ()
    tracked = tuple(c for c in SOURCES[source].columns if c not in skipped) + extra
    return Dimension(table, source, id_col, sk_col, SCD2, tracked, extra)


DIMENSIONS: dict[str, Dimension] = {
    d.table: d
    for d in (
        _scd2("dim_customer", "customers", "customer_sk", untracked=("joined_on",)),
        _scd2("dim_product", "products", "product_sk"),
        Dimension("dim_store", "stores", "store_id", "store_sk", SCD1),
        _scd2("dim_sales_person", "sales_team", "sales_person_sk", untracked=("hired_on",)),
    )
}


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
