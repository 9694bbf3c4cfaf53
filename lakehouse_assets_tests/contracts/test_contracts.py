"""The contracts: one per table, shown as each asset's column schema, and in agreement
with what the transforms actually produce (compared on the plans' schemas: no Spark job)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from dagster import AssetKey

from lakehouse_assets.checks.metrics import structure_problems
from lakehouse_assets.checks.report import report_schema
from lakehouse_assets.contracts import COLUMN_SCHEMA_KEY, CONTRACTS, contract_for, table_schema
from lakehouse_assets.contracts.audit import STATUSES
from lakehouse_assets.contracts.crm import CRM_CONTRACTS
from lakehouse_assets.contracts.events import EVENT_CONTRACTS
from lakehouse_assets.crm.extract import TableExtract, marks_frame
from lakehouse_assets.definitions import defs
from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.ingest import inventory
from lakehouse_assets.resources.pii import load_masking_policy
from lakehouse_assets.sources import CRM_SOURCES, SOURCES
from lakehouse_assets.transforms import crm as crm_rows
from lakehouse_assets.transforms import event_marts, marts
from lakehouse_assets.transforms import events as event_rows
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.dimensions import build_dimension, date_dimension
from lakehouse_assets.transforms.fact import build_fact_sales
from lakehouse_assets.transforms.masking import MaskingKeys, mask_pii
from lakehouse_assets.transforms.sales_pipeline import months_frame, sales_pipeline_monthly
from lakehouse_assets.transforms.validation import classify
from lakehouse_assets_tests.builders import bronze_frame, crm_bronze_frame, events_bronze_frame, valid_order

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
    fact = build_fact_sales(silver["orders"], *dims, silver["fx_rates"], [date(2024, 3, 1)])
    tables[("gold", "fact_sales")] = fact
    tables[("gold", "customer_monthly_sales")] = marts.customer_monthly_sales(fact)
    tables[("gold", "sales_team_monthly")] = marts.sales_team_monthly(fact)
    tables[("gold", "category_monthly_revenue")] = marts.category_monthly_revenue(fact, dims[1])
    tables[("gold", "customer_lifetime_value")] = marts.customer_lifetime_value(fact)
    tables[("audit", "ingested_files")] = inventory.inventory_frame(spark, [])
    tables[("audit", "dq_report")] = spark.createDataFrame([], report_schema())
    return tables


CRM_ROWS = {  # one valid row and one the rules quarantine, per CRM table (as JDBC returns them)
    "crm_contacts": [
        {"contact_id": "CT1", "customer_id": "C1", "first_name": "Ada", "last_name": "Lovelace",
         "email": "ada@example.com", "phone": "+44 20 7946 0000", "lifecycle_stage": "customer",
         "owner_sales_person_id": "E1", "created_at": datetime(2024, 3, 1, 9), "updated_at": datetime(2024, 3, 1, 10),
         "is_deleted": False},
        {"contact_id": "CT2", "lifecycle_stage": "vip", "created_at": datetime(2024, 3, 1, 9),
         "updated_at": datetime(2024, 3, 1, 11), "is_deleted": False},
    ],
    "crm_deals": [
        {"deal_id": "D1", "contact_id": "CT1", "store_id": "S1", "stage": "open", "amount": Decimal("10.00"),
         "currency": "EUR", "expected_close_date": date(2024, 3, 31), "created_at": datetime(2024, 3, 1, 9),
         "updated_at": datetime(2024, 3, 1, 10), "is_deleted": False},
        {"deal_id": "D2", "contact_id": "CT1", "store_id": "S1", "stage": "negotiation", "currency": "EUR",
         "created_at": datetime(2024, 3, 1, 9), "updated_at": datetime(2024, 3, 1, 11), "is_deleted": False},
    ],
}
EVENTS = [  # message values: three valid events (a view, a purchase, one without a customer) and one broken
    {"event_id": "e1", "event_ts": "2024-03-01T10:00:00Z", "session_id": "s1", "customer_id": "C1",
     "event_type": "product_view", "product_id": "P1", "properties": {"page": "home"}},
    {"event_id": "e2", "event_ts": "2024-03-01T10:05:00Z", "session_id": "s1", "customer_id": "C1",
     "event_type": "purchase", "product_id": "P1", "order_id": "O1"},
    {"event_id": "e3", "event_ts": "2024-03-01T11:00:00Z", "session_id": "s2", "event_type": "page_view"},
    {"event_id": "e4", "event_ts": "2024-03-01T11:00:00Z", "session_id": "s2", "event_type": "teleport"},
]


@pytest.fixture(scope="module")
def built_sources(spark, built):
    """The crm and events tables as their transforms build them, from a few rows each (plans only)."""
    tables, silver = {}, {}
    for name, source in CRM_SOURCES.items():
        classified = crm_rows.classify(crm_bronze_frame(spark, source, CRM_ROWS[name]), source, ("USD", "EUR"))
        silver[name] = crm_rows.silver_rows(classified, source)
        if source.pii:
            silver[name] = mask_pii(spark, silver[name], load_masking_policy()[name], KEYS)
        tables[("silver", name)] = silver[name]
        tables[("quarantine", name)] = crm_rows.quarantine_rows(classified, source)
    tables[("silver", "dim_contact")] = crm_rows.dim_contact(silver["crm_contacts"])
    tables[("gold", "sales_pipeline_monthly")] = sales_pipeline_monthly(
        silver["crm_deals"], built[("silver", "fx_rates")], months_frame(spark, [date(2024, 3, 1)]))
    until = datetime(2024, 3, 2)
    tables[("audit", "source_watermarks")] = marks_frame(spark, [
        TableExtract("crm_contacts", None, until, 2, 2, datetime(2024, 3, 1, 11), None),
        TableExtract("crm_deals", datetime(2024, 3, 1), until, 0, 0, None, None)], "run")
    bronze = events_bronze_frame(spark, [json.dumps(e) for e in EVENTS] + ["not json"])
    tables[("quarantine", "events")] = event_rows.quarantine_rows(event_rows.classify(bronze))
    events = event_rows.silver_events(bronze, bronze)
    tables[("silver", "events")] = events
    tables[("gold", "product_funnel_daily")] = event_marts.product_funnel_daily(events)
    tables[("gold", "customer_engagement_monthly")] = event_marts.customer_engagement_monthly(
        events, built[("gold", "fact_sales")])
    return tables


@pytest.mark.parametrize("key", sorted(CONTRACTS), ids="/".join)
def test_transform_output_matches_its_contract(built, built_sources, key):
    assert structure_problems(CONTRACTS[key], {**built, **built_sources}[key]) == {}


def test_every_contract_is_compared_with_its_transform(built, built_sources):
    assert set(CRM_CONTRACTS) | set(EVENT_CONTRACTS) <= set(built_sources)
    assert set(CONTRACTS) == set(built) | set(built_sources)


def test_a_drifted_column_is_named(built):
    drifted = built[("gold", "fact_sales")].withColumnRenamed("margin_usd", "margin")
    assert set(structure_problems(CONTRACTS[("gold", "fact_sales")], drifted)) == {"margin_usd", "margin"}


def test_dimension_contract_follows_the_pii_fingerprint():
    assert "pii_fingerprint" in contract_for(AssetKey(["silver", "dim_customer"])).columns
    assert "pii_fingerprint" not in contract_for(["silver", "dim_store"]).columns
