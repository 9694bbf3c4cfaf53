"""The contracts: one per table, shown as each asset's column schema, and in agreement
with what the transforms actually produce (compared on the plans' schemas: no Spark job)."""

from __future__ import annotations

from datetime import date

import pytest
from dagster import AssetKey

from lakehouse_assets.checks.metrics import structure_problems
from lakehouse_assets.checks.report import report_schema
from lakehouse_assets.contracts import COLUMN_SCHEMA_KEY, CONTRACTS, contract_for, table_schema
from lakehouse_assets.contracts.audit import STATUSES
from lakehouse_assets.contracts.crm import CRM_CONTRACTS
from lakehouse_assets.contracts.events import EVENT_CONTRACTS
from lakehouse_assets.definitions import defs
from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.ingest import inventory
from lakehouse_assets.resources.pii import load_masking_policy
from lakehouse_assets.sources import SOURCES
from lakehouse_assets.transforms import marts
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.dimensions import build_dimension, date_dimension
from lakehouse_assets.transforms.fact import build_fact_sales
from lakehouse_assets.transforms.masking import MaskingKeys, mask_pii
from lakehouse_assets.transforms.validation import classify
from lakehouse_assets_tests.builders import bronze_frame, valid_order

KEYS = MaskingKeys(hmac_key="k" * 40, salt="pepper-and-salt-16")
CHECKED_LAYERS = ("silver", "quarantine", "gold", "audit")


def test_every_checked_asset_shows_its_contract_as_column_schema():
    graph = defs.resolve_asset_graph()
    keys = [k for k in graph.get_all_asset_keys() if k.path[0] in CHECKED_LAYERS]
    assert {tuple(k.path) for k in keys} == set(CONTRACTS)
    for key in keys:
        assert graph.get(key).metadata[COLUMN_SCHEMA_KEY] == table_schema(contract_for(key)), key


def test_column_schema_carries_types_descriptions_nullability_and_checks():
    columns = {c.name: c for c in table_schema(contract_for(["gold", "fact_sales"])).columns}
    sk = columns["customer_sk"]
    assert sk.type == "bigint" and not sk.constraints.nullable and "-1" in sk.description
    assert sk.constraints.other == ["greater_than_or_equal_to(-1)", "not_equal_to(0)"]
    assert columns["fx_rate"].type == "decimal(18,8)" and columns["fx_rate"].constraints.nullable
    assert "unique key: (order_id, line_number)" in table_schema(contract_for(["gold", "fact_sales"])).constraints.other


def test_audit_statuses_are_the_asset_modules():
    assert set(STATUSES) == {inventory.INGESTED, inventory.DUPLICATE_CONTENT, inventory.EMPTY, inventory.REJECTED}


def _silver(spark, source, rows):
    classified = classify(bronze_frame(spark, SOURCES[source], rows), SOURCES[source], ("USD", "EUR"))
    silver = silver_rows(classified, SOURCES[source])
    if SOURCES[source].pii:
        silver = mask_pii(spark, silver, load_masking_policy()[source], KEYS)
    return silver, quarantine_rows(classified, SOURCES[source])


MASTER_ROWS = {
    "customers": {"customer_id": "C1", "updated_at": "2024-03-01 00:00:00", "joined_on": "2024-01-01"},
    "products": {"product_id": "P1", "category": "toys", "unit_cost_usd": "1.00", "list_price_usd": "2.00",
                 "updated_at": "2024-03-01 00:00:00"},
    "stores": {"store_id": "S1", "updated_at": "2024-03-01 00:00:00"},
    "sales_team": {"sales_person_id": "E1", "store_id": "S1", "updated_at": "2024-03-01 00:00:00"},
    "fx_rates": {"rate_date": "2024-03-01", "currency": "EUR", "usd_per_unit": "1.1"},
}


@pytest.fixture(scope="module")
def built(spark):
    """Every table as the transforms build it, from one valid row per source (plans only)."""
    tables, silver = {}, {}
    for source, row in {"orders": valid_order(), **MASTER_ROWS}.items():
        silver[source], tables[("quarantine", source)] = _silver(spark, source, [row])
        tables[("silver", source)] = silver[source]
    for dim in DIMENSIONS.values():
        tables[("silver", dim.table)] = build_dimension(dim, silver[dim.source])
    tables[("silver", "dim_date")] = date_dimension(spark.createDataFrame([(date(2024, 3, 1),)], "date date"))
    dims = [tables[("silver", t)] for t in ("dim_customer", "dim_product", "dim_store", "dim_sales_person")]
    fact = build_fact_sales(silver["orders"], *dims, silver["fx_rates"])
    tables[("gold", "fact_sales")] = fact
    tables[("gold", "customer_monthly_sales")] = marts.customer_monthly_sales(fact)
    tables[("gold", "sales_team_monthly")] = marts.sales_team_monthly(fact)
    tables[("gold", "category_monthly_revenue")] = marts.category_monthly_revenue(fact, dims[1])
    tables[("gold", "customer_lifetime_value")] = marts.customer_lifetime_value(fact)
    tables[("audit", "ingested_files")] = inventory.inventory_frame(spark, [])
    tables[("audit", "dq_report")] = spark.createDataFrame([], report_schema())
    return tables


# The CRM and events tables' contracts are blocking checks of the steps that write them,
# measured on real rows by their own runs (crm/test_run.py, events/test_run.py).
FILE_SOURCE_TABLES = sorted(set(CONTRACTS) - set(CRM_CONTRACTS) - set(EVENT_CONTRACTS))


@pytest.mark.parametrize("key", FILE_SOURCE_TABLES, ids="/".join)
def test_transform_output_matches_its_contract(built, key):
    assert structure_problems(CONTRACTS[key], built[key]) == {}


def test_a_drifted_column_is_named(built):
    drifted = built[("gold", "fact_sales")].withColumnRenamed("margin_usd", "margin")
    assert set(structure_problems(CONTRACTS[("gold", "fact_sales")], drifted)) == {"margin_usd", "margin"}


def test_dimension_contract_follows_the_pii_fingerprint():
    assert "pii_fingerprint" in contract_for(AssetKey(["silver", "dim_customer"])).columns
    assert "pii_fingerprint" not in contract_for(["silver", "dim_store"]).columns
