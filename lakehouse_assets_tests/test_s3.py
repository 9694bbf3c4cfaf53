"""The same slice with landing zone and lakehouse on S3: a moto server reached over HTTP
by boto3 (listing, hashing, generator uploads) and by Spark's s3a (reads and Delta writes)."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.generate import generate
from lakehouse_assets_tests.pipeline import lakehouse_env
from lakehouse_assets_tests.reference import expected_orders

pytestmark = pytest.mark.slow
DAY = date(2024, 5, 31)


def test_slice_on_s3_matches_reference(spark, moto_s3, tmp_path):
    moto_s3.create_bucket("retail-landing")
    moto_s3.create_bucket("retail-lake")
    args = dict(start=DAY, days=1, rows_per_day=300, seed=11, defects=0.1, progress=False)
    generate(landing_root="s3://retail-landing/landing", **args)
    generate(landing_root=str(tmp_path / "landing"), **args)  # byte-identical local copy for the reference

    with lakehouse_env(spark, "s3://retail-landing/landing", "s3://retail-lake/lakehouse") as lake:
        assert lake.run(DAY) == 0
        silver, quarantine, duplicates = expected_orders(tmp_path / "landing", DAY)
        keys = {(r["order_id"], r["line_number"]) for r in lake.table("silver/orders").collect()}
        assert keys == set(silver)
        reasons = {r["reason"]: r["count"] for r in lake.table("quarantine/orders").groupBy("reason").count().collect()}
        assert reasons == dict(quarantine)
        assert lake.table("gold/fact_sales").count() == len(silver)
        audit = lake.table("audit/ingested_files").where(F.col("source") == "orders").collect()
        assert all(r["path"].startswith("s3://retail-landing/landing/orders/") for r in audit)

    written = moto_s3.keys("retail-lake", "lakehouse/")
    for table in ("bronze/orders", "silver/orders", "quarantine/orders", "gold/fact_sales", "silver/dim_customer"):
        assert any(k.startswith(f"lakehouse/{table}/_delta_log/") for k in written), table
