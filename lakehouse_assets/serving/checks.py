"""Checks of a served mart: its rows in the database against the gold partition they came from.

Per month (or for the whole unpartitioned mart): the row count and the sum of every
money column, gold measured with one Spark aggregation, the database with one
`GROUP BY`. Sums are exact DECIMALs on both sides, so they must be equal, not close.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dagster import AssetCheckResult, AssetCheckSpec, MetadataValue
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving.export import quoted
from lakehouse_assets.serving.tables import MONTH, ServedMart

ROW_COUNT_CHECK = "row_count_matches_gold"
MONEY_CHECK = "money_totals_match_gold"
WHOLE_TABLE = None  # the figures' key of an unpartitioned mart


@dataclass(frozen=True)
class Figures:
    rows: int = 0
    money: Mapping[str, Decimal | None] = field(default_factory=dict)


def check_specs(mart: ServedMart) -> list[AssetCheckSpec]:
    money = ", ".join(mart.money)
    return [
        AssetCheckSpec(ROW_COUNT_CHECK, asset=mart.key, additional_deps=[mart.gold_key],
                       description=f"Rows in the database equal the rows of {'/'.join(mart.gold_key.path)}."),
        AssetCheckSpec(MONEY_CHECK, asset=mart.key, additional_deps=[mart.gold_key],
                       description=f"Sums of {money} in the database equal gold's, to the cent."),
    ]


def gold_figures(mart: ServedMart, frame: DataFrame, months: Iterable[date] | None) -> dict:
    """{month (or WHOLE_TABLE): Figures} of the gold rows, every asked month present."""
    sums = [F.sum(c).alias(c) for c in mart.money]
    if months is None:
        row = frame.agg(F.count(F.lit(1)).alias("_rows"), *sums).first()
        return {WHOLE_TABLE: Figures(int(row["_rows"]), {c: row[c] for c in mart.money})}
    found = {r[MONTH]: Figures(int(r["_rows"]), {c: r[c] for c in mart.money})
             for r in frame.groupBy(MONTH).agg(F.count(F.lit(1)).alias("_rows"), *sums).collect()}
    return {month: found.get(month, Figures(0, dict.fromkeys(mart.money))) for month in months}


def mart_figures(db: MartDatabase, mart: ServedMart, months: Iterable[date] | None) -> dict:
    """The same figures of the mart's rows in the database."""
    sums = ", ".join(f"SUM({quoted(c)})" for c in mart.money)
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            if months is None:
                cursor.execute(f"SELECT COUNT(*), {sums} FROM {quoted(mart.name)}")
                count, *totals = cursor.fetchone()
                return {WHOLE_TABLE: Figures(int(count), dict(zip(mart.money, totals)))}
            months = list(months)
            marks = ", ".join(["%s"] * len(months))
            cursor.execute(f"SELECT {MONTH}, COUNT(*), {sums} FROM {quoted(mart.name)} "
                           f"WHERE {MONTH} IN ({marks}) GROUP BY {MONTH}", months)
            found = {month: Figures(int(count), dict(zip(mart.money, totals)))
                     for month, count, *totals in cursor.fetchall()}
    finally:
        connection.close()
    return {month: found.get(month, Figures(0, dict.fromkeys(mart.money))) for month in months}


def _label(month: date | None) -> str:
    return "table" if month is None else f"{month:%Y-%m}"


def _text(value) -> str:
    return "null" if value is None else str(value)


def compare(mart: ServedMart, gold: Mapping, served: Mapping) -> list[AssetCheckResult]:
    """The two checks' results: every month's figures equal (metadata per month)."""
    rows = {_label(m): {"gold": gold[m].rows, "database": served[m].rows} for m in gold}
    money = {_label(m): {c: {"gold": _text(gold[m].money.get(c)), "database": _text(served[m].money.get(c))}
                         for c in mart.money} for m in gold}
    rows_off = sorted(k for k, v in rows.items() if v["gold"] != v["database"])
    money_off = sorted(f"{k}.{c}" for k, cols in money.items() for c, v in cols.items()
                       if v["gold"] != v["database"])
    return [
        AssetCheckResult(check_name=ROW_COUNT_CHECK, asset_key=mart.key, passed=not rows_off,
                         description=("row counts equal gold" if not rows_off
                                      else f"row counts differ from gold in {', '.join(rows_off)}"),
                         metadata={"by_month": MetadataValue.json(rows)}),
        AssetCheckResult(check_name=MONEY_CHECK, asset_key=mart.key, passed=not money_off,
                         description=("money totals equal gold" if not money_off
                                      else f"money totals differ from gold in {', '.join(money_off)}"),
                         metadata={"by_month": MetadataValue.json(money)}),
    ]


def check_mart(db: MartDatabase, mart: ServedMart, frame: DataFrame,
               months: list[date] | None) -> list[AssetCheckResult]:
    """Both checks of `mart` for `months` (None: the whole table), gold rows from `frame`."""
    return compare(mart, gold_figures(mart, frame, months), mart_figures(db, mart, months))
