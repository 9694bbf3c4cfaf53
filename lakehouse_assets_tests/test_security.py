"""A full run with canary secrets: no secret in Dagster's storage, the tables, or Spark's
logs, and no raw customer email, phone or address anywhere in silver, gold or audit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date

import pytest
import yaml
from pyspark.sql import functions as F

from lakehouse_assets.generate import generate
from lakehouse_assets.io_managers.delta_rs import open_delta_rs
from lakehouse_assets.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
DAY = date(2024, 2, 29)
CANARIES = {
    "LAKEHOUSE_PII_HMAC_KEY": "canary-hmac-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e",
    "LAKEHOUSE_PII_SALT": "canary-salt-d41d8cd98f00",
    "AWS_SECRET_ACCESS_KEY": "canary-aws-secret-0b1c2d3e4f",
}
MASKED_LAYERS = ("silver", "gold", "audit")
RAW_PII_CHECKED = ("email", "phone", "address")
ARROW_TEXT = ("string", "large_string", "string_view")  # how delta-rs may type a Delta string column


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("canary")
    config = root / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    env_config = yaml.safe_load((config / "test.yaml").read_text())
    env_config["spark"]["conf"].update({
        "spark.eventLog.enabled": "true", "spark.eventLog.dir": (root / "spark-events").as_uri()})
    (config / "canary.yaml").write_text(yaml.safe_dump(env_config))
    (root / "spark-events").mkdir()
    (root / "dagster").mkdir()
    generate(DAY, 1, str(root / "landing"), rows_per_day=300, seed=5, defects=0.05, progress=False)
    env = {**os.environ, **CANARIES, "AWS_ACCESS_KEY_ID": "canary-id", "LAKEHOUSE_ENV": "canary",
           "LAKEHOUSE_CONFIG_DIR": str(config), "DAGSTER_HOME": str(root / "dagster"),
           "LAKEHOUSE_LANDING_ROOT": str(root / "landing"), "LAKEHOUSE_ROOT": str(root / "lakehouse")}
    done = subprocess.run([sys.executable, "-m", "lakehouse_assets.cli.main", "run", "--start", DAY.isoformat()],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root, done.stdout + done.stderr


def test_no_secret_in_event_logs_metadata_tables_or_spark_logs(canary_run):
    root, output = canary_run
    places = [root / "dagster", root / "spark-events", root / "lakehouse"]
    assert any((root / "dagster").rglob("*.db")), "the run was recorded in Dagster's storage"
    assert any((root / "spark-events").iterdir()), "Spark wrote its event log"
    for name, canary in CANARIES.items():
        assert canary not in output, f"{name} printed by the run"
        for place in places:
            leaks = [p for p in place.rglob("*") if p.is_file() and canary.encode() in p.read_bytes()]
            assert leaks == [], f"{name} found in {leaks}"


def test_no_raw_customer_pii_in_silver_gold_or_audit(canary_run, spark):
    root, _ = canary_run
    lake = root / "lakehouse"
    bronze = spark.read.format("delta").load(str(lake / "bronze" / "customers"))
    raw = {v for row in bronze.select(*RAW_PII_CHECKED).collect() for v in row if v}
    assert len(raw) > 100, "the data set has customer PII to hide"
    raw_emails = {v for v in raw if "@" in v}
    scanned: set[str] = set()
    for layer in MASKED_LAYERS:
        for table in sorted(p for p in (lake / layer).iterdir() if (p / "_delta_log").is_dir()):
            data = open_delta_rs(str(table)).to_pyarrow_table()  # every column, read without Spark
            text_cols = [f.name for f in data.schema if str(f.type) in ARROW_TEXT]
            values = {v for c in text_cols for v in data.column(c).to_pylist() if v}
            if values:
                scanned.add(f"{layer}/{table.name}")
            assert values & raw == set(), f"{layer}/{table.name} holds raw PII"
            assert not any(e in v for v in values for e in raw_emails), f"{layer}/{table.name} embeds an email"
    assert {"silver/customers", "silver/dim_customer", "audit/ingested_files"} <= scanned, scanned


def test_silver_customers_are_masked_as_configured(canary_run, spark):
    root, _ = canary_run
    silver = spark.read.format("delta").load(str(root / "lakehouse" / "silver" / "customers"))
    sample = silver.where(F.col("email").isNotNull() & F.col("phone").isNotNull()).first()
    assert sample["email"].split("@")[0].endswith("***")
    assert sample["phone"][:-4].strip("*") == ""
    assert sample["address"] in (None, "[REDACTED]")
    assert len(sample["first_name"]) == 64 and len(sample["pii_fingerprint"]) == 64
