"""Tiny gold tables in the contracts' shape, written with Spark, and rows compared across engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving.export import quoted
from lakehouse_assets.serving.tables import ServedMart

SCHEMAS = {
    "customer_monthly_sales": "month DATE, customer_id STRING, orders_count BIGINT, units BIGINT, "
                              "total_net_usd DECIMAL(16,2), first_order_ts TIMESTAMP, last_order_ts TIMESTAMP",
    "sales_team_monthly": "month DATE, store_id STRING, sales_person_id STRING, orders_count BIGINT, "
                          "total_net_usd DECIMAL(14,2), rank_in_store INT, is_top_performer BOOLEAN, "
                          "incentive_usd DECIMAL(14,2)",
    "category_monthly_revenue": "month DATE, category STRING, revenue_usd DECIMAL(14,2), units BIGINT, "
                                "orders_count BIGINT, unique_customers BIGINT",
    "customer_lifetime_value": "customer_id STRING, total_spent_usd DECIMAL(16,2), orders_count BIGINT, "
                               "avg_order_value_usd DECIMAL(14,2), first_order_date DATE, last_order_date DATE, "
                               "segment STRING",
}
TS_FORMAT_SPARK = "yyyy-MM-dd HH:mm:ss.SSSSSS"
TS_FORMAT_SQL = "%%Y-%%m-%%d %%H:%%i:%%s.%%f"  # %% for pymysql's parameter syntax


def money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def customer_rows(month: date, count: int, base: str = "10.00", customers: str = "C") -> list[tuple]:
    """`count` customer_monthly_sales rows of `month`: spend base + i (the last one null)."""
    from datetime import datetime, timedelta

    start = datetime(month.year, month.month, 1, 8, 30, 15, 123456)
    return [(month, f"{customers}{i:05d}", i % 3 + 1, i % 7 + 1,
             None if i == count - 1 else Decimal(base) + i, start + timedelta(hours=i % 48),
             start + timedelta(hours=i % 48 + 5)) for i in range(count)]


def write_gold(spark: SparkSession, root: Path, table: str, rows: list[tuple]) -> DataFrame:
    """Replace the gold table `table` under the lakehouse `root` with `rows`."""
    frame = spark.createDataFrame(rows, SCHEMAS[table])
    frame.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(str(root / "gold" / table))
    return frame


def gold_rows(frame: DataFrame, mart: ServedMart, month: date | None = None) -> list[tuple]:
    """The frame's rows of `month`, timestamps as UTC text, sorted by the grain."""
    if month is not None:
        frame = frame.where(F.col("month") == month)
    columns = [F.date_format(f.name, TS_FORMAT_SPARK).alias(f.name) if isinstance(f.dataType, T.TimestampType)
               else F.col(f.name) for f in frame.select(*mart.columns).schema.fields]
    return sorted((tuple(r) for r in frame.select(*columns).collect()), key=lambda r: [str(v) for v in r])


def served_rows(db: MartDatabase, mart: ServedMart, month: date | None = None) -> list[tuple]:
    """The mart's rows in the database, in the same shape as `gold_rows`."""
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                           "DATABASE() AND table_name = %s", (mart.name,))
            types = dict(cursor.fetchall())
            select = [f"DATE_FORMAT({quoted(c)}, '{TS_FORMAT_SQL}')" if types[c] == "datetime" else quoted(c)
                      for c in mart.columns]
            where = "WHERE month = %s" if month is not None else ""
            cursor.execute(f"SELECT {', '.join(select)} FROM {quoted(mart.name)} {where}",
                           (month,) if month is not None else ())
            rows = [tuple(bool(v) if types[c] == "tinyint" else v for c, v in zip(mart.columns, row))
                    for row in cursor.fetchall()]
    finally:
        connection.close()
    return sorted(rows, key=lambda r: [str(v) for v in r])
