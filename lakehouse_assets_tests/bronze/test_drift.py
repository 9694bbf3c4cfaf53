"""Schema drift: a new column is carried or rejected as configured; a changed type or a
removed column fails the blocking bronze check, which names the file and the column."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from lakehouse_assets.bronze.ingest import read_bronze
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.settings import PROJECT_ROOT, ConfigError, settings_from_mapping
from lakehouse_assets.sources import CUSTOMERS, DEFAULT_CURRENCIES, PRODUCTS, STORES
from lakehouse_assets.transforms.conform import silver_rows
from lakehouse_assets.transforms.validation import MALFORMED, OUTCOME, QUARANTINE, SILVER, classify
from lakehouse_assets_tests.pipeline import lakehouse_env

DAY = date(2024, 3, 1)
TS = "2024-03-01 08:00:00"
CUSTOMER = dict(zip(CUSTOMERS.columns, ["C1", "Ann", "Lee", "a@x.org", "123", "1 Road", "Leeds", "", "UK",
                                        "2020-01-01", TS]))
STORE = ["S1", "Main", "1 High St", "London", "", "UK", "Ann", "2020-01-01", TS]
PRODUCT = {"product_id": "P1", "product_name": "Pen", "category": "Office", "unit_cost_usd": "1.00",
           "list_price_usd": "2.50", "updated_at": TS}


def folder(root, source):
    path = root / source / f"date={DAY.isoformat()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def land_new_columns(root) -> None:
    """One file per format with a column the contract does not know."""
    (folder(root, "customers") / "c.jsonl").write_text(json.dumps(CUSTOMER | {"loyalty_tier": "gold"}) + "\n")
    (folder(root, "stores") / "s.csv").write_text(",".join([*STORES.columns, "region"]) + "\n"
                                                  + ",".join([*STORE, "north"]) + "\n")
    pq.write_table(pa.table({k: [v] for k, v in (PRODUCT | {"supplier": "Acme"}).items()}),
                   folder(root, "products") / "p.parquet")


def bronze_of(spark, root, source, policy):
    files = list_landing_files(str(root), source.name, [DAY])
    return read_bronze(spark, source, files, hash_files(files), "run", datetime.now(UTC), new_columns=policy)


NEW_COLUMN = {"customers": ("loyalty_tier", "gold"), "stores": ("region", "north"), "products": ("supplier", "Acme")}


@pytest.mark.slow  # a daily run per source
@pytest.mark.parametrize("source", [CUSTOMERS, STORES, PRODUCTS], ids=lambda s: s.name)
def test_new_column_is_carried_into_bronze_and_silver_gets_the_contract(spark, tmp_path, source):
    land_new_columns(tmp_path)
    classified = classify(bronze_of(spark, tmp_path, source, "carry"), source, DEFAULT_CURRENCIES)
    row = classified.collect()[0]
    name, value = NEW_COLUMN[source.name]
    assert row[OUTCOME] == SILVER and row["_extra"] == {name: value}
    assert row[source.columns[0]] == {"customers": "C1", "stores": "S1", "products": "P1"}[source.name]
    assert name not in silver_rows(classified, source).columns


@pytest.mark.parametrize("source", [CUSTOMERS, STORES, PRODUCTS], ids=lambda s: s.name)
def test_new_column_is_rejected_with_a_reason_naming_it(spark, tmp_path, source):
    land_new_columns(tmp_path)
    row = classify(bronze_of(spark, tmp_path, source, "reject"), source, DEFAULT_CURRENCIES).collect()[0]
    name, _ = NEW_COLUMN[source.name]
    assert (row[OUTCOME], row["reason"]) == (QUARANTINE, MALFORMED)
    assert name in row["reason_detail"] and "schema_drift" in row["reason_detail"]
    assert row["_extra"] is None and row["_raw_line"]


def test_policy_is_validated_when_settings_load():
    raw = {"landing_root": "l", "lakehouse_root": "h", "schema_drift": {"new_columns": "ignore"}}
    with pytest.raises(ConfigError, match="schema_drift.new_columns"):
        settings_from_mapping("x", raw)
    carried = settings_from_mapping("x", {**raw, "schema_drift": {"new_columns": "carry"}})
    assert carried.schema_drift.new_columns == "carry"


def config_with_carry(target):
    """A copy of config/ whose test environment carries new columns."""
    shutil.copytree(PROJECT_ROOT / "config", target)
    test_yaml = target / "test.yaml"
    settings = yaml.safe_load(test_yaml.read_text())
    settings["schema_drift"] = {"new_columns": "carry"}
    test_yaml.write_text(yaml.safe_dump(settings))
    return target


@pytest.mark.slow
def test_changed_type_and_removed_column_fail_the_bronze_check(spark, tmp_path, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    from lakehouse_assets.definitions import defs
    from lakehouse_assets.run_plan import DAILY_JOB

    landing = tmp_path / "landing"
    (folder(landing, "customers") / "c.jsonl").write_text(json.dumps(CUSTOMER | {"loyalty_tier": "gold"}) + "\n")
    pq.write_table(pa.table({k: [float(v)] if k == "unit_cost_usd" else [v] for k, v in PRODUCT.items()}),
                   folder(landing, "products") / "typed.parquet")
    without = [c for c in STORES.columns if c != "updated_at"]
    (folder(landing, "stores") / "short.csv").write_text(",".join(without) + "\n" + ",".join(STORE[:-1]) + "\n")
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(config_with_carry(tmp_path / "config")))
    keys = [AssetKey(["bronze", s]) for s in ("customers", "products", "stores")]
    with lakehouse_env(spark, landing, tmp_path / "lakehouse") as lake:
        result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
            instance=DagsterInstance.ephemeral(), partition_key=DAY.isoformat(), asset_selection=keys,
            raise_on_error=False)
        extra = lake.table("bronze/customers").select("_extra").collect()
    checks = {e.asset_key.path[1]: e for e in result.get_asset_check_evaluations()}
    assert checks["customers"].passed and extra == [({"loyalty_tier": "gold"},)], "a carried new column passes"
    for source, file, column in (("products", "typed.parquet", "unit_cost_usd"), ("stores", "short.csv", "updated_at")):
        evaluation = checks[source]
        assert not evaluation.passed and evaluation.blocking
        assert file in evaluation.description and column in evaluation.description, evaluation.description
