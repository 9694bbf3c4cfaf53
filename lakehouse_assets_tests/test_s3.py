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


def test_every_object_written_asks_for_server_side_encryption(spark, moto_s3, tmp_path):
    """After the S3 slice: every table file and Delta log entry (s3a) and every landing
    file (boto3) was written with SSE-S3, the default of config/test.yaml."""
    client = moto_s3.client()
    for bucket, prefix in (("retail-lake", "lakehouse/"), ("retail-landing", "landing/")):
        keys = moto_s3.keys(bucket, prefix)
        assert keys, bucket
        unencrypted = [k for k in keys
                       if client.head_object(Bucket=bucket, Key=k).get("ServerSideEncryption") != "AES256"]
        assert unencrypted == [], f"{len(unencrypted)} of {len(keys)} objects in {bucket} lack SSE-S3"


def test_sse_kms_key_from_config_reaches_boto3_and_the_s3a_settings(moto_s3):
    """With `s3_encryption: {mode: sse-kms, kms_key_id: ...}` boto3 names the key on
    every write, and s3a is configured with it. (The AWS SDK under s3a only sends a KMS
    key over HTTPS, so s3a's KMS writes cannot be replayed against the HTTP test server.)"""
    import dataclasses

    from lakehouse_assets.encryption import S3Encryption
    from lakehouse_assets.resources.spark import spark_conf
    from lakehouse_assets.settings import load_settings

    key_id = "alias/lakehouse-tables"
    encryption = S3Encryption.from_mapping({"mode": "sse-kms", "kms_key_id": key_id})
    moto_s3.create_bucket("retail-kms")
    client = moto_s3.client()
    client.put_object(Bucket="retail-kms", Key="landing/x.csv", Body=b"a\n", **encryption.boto3_args())
    head = client.head_object(Bucket="retail-kms", Key="landing/x.csv")
    assert (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")) == ("aws:kms", key_id)

    conf = spark_conf(dataclasses.replace(load_settings("test"), s3_encryption=encryption))
    assert conf["spark.hadoop.fs.s3a.encryption.algorithm"] == "SSE-KMS"
    assert conf["spark.hadoop.fs.s3a.encryption.key"] == key_id
