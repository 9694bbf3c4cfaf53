"""Registration in a Glue catalog: moto's server over HTTP, spoken to by boto3 as AWS would be.

No JVM: the catalog entries come from the asset specs and the contracts, not from the
tables, so the lakehouse root needs no data. Each test registers in its own database.
"""

from __future__ import annotations

import boto3
import pytest
from pandera.pyspark import DataFrameSchema
from pyspark.sql import types as T

from lakehouse_assets.assets import ASSETS
from lakehouse_assets.catalog.glue import CREATED, UNCHANGED, UPDATED, GlueCatalog
from lakehouse_assets.catalog.graph import graph_tables
from lakehouse_assets.catalog.register import register_lakehouse
from lakehouse_assets.catalog.tables import from_contract
from lakehouse_assets.contracts import contract_for
from lakehouse_assets.contracts.base import field, key_columns, spark_type
from lakehouse_assets.sources import SOURCES

ROOT = "s3a://lake-bucket/lakehouse"
SPECS = {tuple(spec.key.path): spec for asset in ASSETS for spec in asset.specs if "delta" in spec.kinds}


@pytest.fixture
def glue(moto_s3):
    """A boto3 Glue client as the code makes it: endpoint from AWS_ENDPOINT_URL (moto's server)."""
    client = boto3.client("glue")
    assert client.meta.endpoint_url == moto_s3.endpoint
    return client


def _tables(glue, database: str) -> dict[str, dict]:
    pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
    return {t["Name"]: t for page in pages for t in page["TableList"]}


def _columns(table: dict) -> list[tuple[str, str, str]]:
    return [(c["Name"], c["Type"], c.get("Comment", "")) for c in table["StorageDescriptor"]["Columns"]]


def test_every_table_of_the_graph_is_registered_with_its_contract(glue):
    assert {layer for layer, _ in SPECS} == {"bronze", "silver", "quarantine", "gold", "audit"}
    result = register_lakehouse(ROOT, "lake_all", catalog=GlueCatalog("lake_all", glue))
    assert result.database_created
    held = _tables(glue, "lake_all")
    assert set(held) == {f"{layer}_{table}" for layer, table in SPECS}
    assert set(result.tables.values()) == {CREATED}
    for (layer, table), spec in SPECS.items():
        entry = held[f"{layer}_{table}"]
        assert entry["Description"] == spec.description
        assert entry["Parameters"]["table_type"] == "DELTA"
        assert entry["StorageDescriptor"]["Location"] == f"s3://lake-bucket/lakehouse/{layer}/{table}"
        partition_keys = [(c["Name"], c["Type"], c.get("Comment", "")) for c in entry["PartitionKeys"]]
        if layer == "bronze":
            continue  # no contract: checked below
        schema = contract_for((layer, table))
        # Spark's own names of the contract types are Hive's for every type the contracts use.
        expected = [(n, spark_type(c).simpleString(), c.description) for n, c in schema.columns.items()]
        partitions = {name for name, _, _ in partition_keys}
        assert _columns(entry) == [c for c in expected if c[0] not in partitions]
        assert partition_keys == [c for c in expected if c[0] in partitions]
        if key_columns(schema):
            assert entry["Parameters"]["lakehouse.unique_key"] == ",".join(key_columns(schema))


@pytest.mark.parametrize(("name", "partition_keys"), [
    ("gold_fact_sales", [("order_date", "date")]),
    ("gold_customer_monthly_sales", [("month", "date")]),
    ("gold_customer_lifetime_value", []),
    ("silver_orders", [("order_date", "date")]),
    ("silver_customers", [("_partition_date", "date")]),
    ("silver_dim_customer", []),  # a MERGE target, unpartitioned
    ("silver_dim_date", []),  # partition_by: False
    ("quarantine_orders", [("_partition_date", "date")]),
    ("bronze_orders", [("_partition_date", "date")]),
    ("audit_ingested_files", []),
    ("audit_dq_report", []),
])
def test_partition_keys_are_the_delta_partition_columns(glue, name, partition_keys):
    register_lakehouse(ROOT, "lake_parts", catalog=GlueCatalog("lake_parts", glue))
    entry = glue.get_table(DatabaseName="lake_parts", Name=name)["Table"]
    assert [(c["Name"], c["Type"]) for c in entry["PartitionKeys"]] == partition_keys


def test_bronze_holds_the_landed_text_the_lineage_and_extra(glue):
    register_lakehouse(ROOT, "lake_bronze", catalog=GlueCatalog("lake_bronze", glue))
    entry = glue.get_table(DatabaseName="lake_bronze", Name="bronze_orders")["Table"]
    types = {name: kind for name, kind, _ in _columns(entry)}
    assert all(types[c] == "string" for c in SOURCES["orders"].columns)
    assert types["_file_size"] == "bigint" and types["_ingested_at"] == "timestamp"
    assert types["_extra"] == "map<string,string>"
    assert list(types)[-1] == "_extra"
    comments = {name: comment for name, _, comment in _columns(entry)}
    assert comments["order_id"].startswith("As landed (text).")


def _versions(glue, database: str) -> dict[str, tuple]:
    return {name: (t["VersionId"], t.get("UpdateTime")) for name, t in _tables(glue, database).items()}


def test_a_second_registration_changes_nothing(glue):
    catalog = GlueCatalog("lake_twice", glue)
    register_lakehouse(ROOT, "lake_twice", catalog=catalog)
    before = _versions(glue, "lake_twice")
    again = register_lakehouse(ROOT, "lake_twice", catalog=catalog)
    assert not again.database_created
    assert set(again.tables.values()) == {UNCHANGED}
    assert _versions(glue, "lake_twice") == before
    assert all(t.get("UpdateTime") is None for t in _tables(glue, "lake_twice").values())


def _with_column(schema: DataFrameSchema, name: str, dtype: T.DataType, description: str) -> DataFrameSchema:
    return schema.add_columns({name: field(dtype, description)})


def test_a_changed_contract_updates_its_table_only(glue):
    catalog = GlueCatalog("lake_changed", glue)
    register_lakehouse(ROOT, "lake_changed", catalog=catalog)
    before = _versions(glue, "lake_changed")
    key = ("gold", "customer_lifetime_value")
    changed = _with_column(contract_for(key), "loyalty_tier", T.StringType(), "Loyalty programme tier.")
    tables = [from_contract(key, changed, SPECS[key].description) if t.key == key else t for t in graph_tables()]

    result = register_lakehouse(ROOT, "lake_changed", tables, catalog=catalog)

    assert result.named(UPDATED) == ["gold_customer_lifetime_value"]
    assert len(result.named(UNCHANGED)) == len(SPECS) - 1
    entry = glue.get_table(DatabaseName="lake_changed", Name="gold_customer_lifetime_value")["Table"]
    assert _columns(entry)[-1] == ("loyalty_tier", "string", "Loyalty programme tier.")
    assert int(entry["VersionId"]) == int(before["gold_customer_lifetime_value"][0]) + 1
    assert entry.get("UpdateTime") is not None
    after = _versions(glue, "lake_changed")
    assert {n: v for n, v in after.items() if n != "gold_customer_lifetime_value"} == \
        {n: v for n, v in before.items() if n != "gold_customer_lifetime_value"}
    # Registering the graph's own contract again puts the table back, once.
    back = register_lakehouse(ROOT, "lake_changed", catalog=catalog)
    assert back.named(UPDATED) == ["gold_customer_lifetime_value"]
