"""The code location loads and the asset graph is the one SPEC §4 describes."""

from __future__ import annotations

from dagster import AssetKey, BackfillPolicy, DailyPartitionsDefinition, MonthlyPartitionsDefinition

from lakehouse_assets.definitions import defs
from lakehouse_assets.sources import SOURCES

DAILY = (
    [f"bronze/{s}" for s in SOURCES] + [f"silver/{s}" for s in SOURCES] + [f"quarantine/{s}" for s in SOURCES]
    + ["silver/dim_customer", "silver/dim_product", "silver/dim_sales_person", "silver/dim_store",
       "silver/dim_date", "gold/fact_sales", "audit/ingested_files", "audit/dq_report"]
)
MONTHLY = ["gold/customer_monthly_sales", "gold/sales_team_monthly", "gold/category_monthly_revenue"]
UNPARTITIONED = ["gold/customer_lifetime_value"]
SERVING_MONTHLY = ["serving/customer_monthly_sales", "serving/sales_team_monthly", "serving/category_monthly_revenue"]
SERVING = SERVING_MONTHLY + ["serving/customer_lifetime_value"]
CRM = ["bronze/crm_contacts", "bronze/crm_deals", "silver/crm_contacts", "silver/crm_deals", "quarantine/crm_contacts",
       "quarantine/crm_deals", "silver/dim_contact", "audit/source_watermarks", "gold/sales_pipeline_monthly"]
EVENTS = ["bronze/events", "quarantine/events", "silver/events", "gold/product_funnel_daily",
          "gold/customer_engagement_monthly"]


def graph():
    return defs.resolve_asset_graph()


def node(key: str):
    return graph().get(AssetKey(key.split("/")))


def test_asset_keys_are_exactly_the_spec_tables():
    keys = {"/".join(k.path) for k in graph().get_all_asset_keys()}
    assert keys == set(DAILY + MONTHLY + UNPARTITIONED + SERVING + CRM + EVENTS)


def test_daily_assets_share_one_partitioning_and_backfill_as_one_run():
    partitions = {id(node(k).partitions_def) for k in DAILY}
    assert len(partitions) == 1
    for key in DAILY:
        assert isinstance(node(key).partitions_def, DailyPartitionsDefinition), key
        assert node(key).backfill_policy == BackfillPolicy.single_run(), key


def test_monthly_marts_are_mapped_from_the_daily_fact():
    for key in MONTHLY:
        assert isinstance(node(key).partitions_def, MonthlyPartitionsDefinition), key
        assert AssetKey(["gold", "fact_sales"]) in node(key).parent_keys, key
    assert node(UNPARTITIONED[0]).partitions_def is None


def test_serving_assets_follow_their_gold_tables_in_jobs_of_their_own():
    for key in SERVING:
        gold = AssetKey(["gold", key.split("/")[1]])
        assert node(key).parent_keys == {gold}, key
        assert node(key).partitions_def == node("/".join(gold.path)).partitions_def, key
    lakehouse_jobs = ("daily_assets", "monthly_marts", "unpartitioned_tables")
    for name in lakehouse_jobs:  # runs without a mart database never select an export
        assert not {k.path[0] for k in defs.resolve_job_def(name).asset_layer.selected_asset_keys} & {"serving"}
    assert {"/".join(k.path) for k in defs.resolve_job_def("serving_monthly_marts").asset_layer.selected_asset_keys} \
        == set(SERVING_MONTHLY)


def test_crm_assets_run_in_jobs_of_their_own():
    for name in ("daily_assets", "monthly_marts", "unpartitioned_tables"):  # runs without a CRM never read it
        assert not {"/".join(k.path) for k in defs.resolve_job_def(name).asset_layer.selected_asset_keys} & set(CRM)
    extract = {"/".join(k.path) for k in defs.resolve_job_def("crm_extract").asset_layer.selected_asset_keys}
    assert extract == set(CRM) - {"gold/sales_pipeline_monthly"}
    assert {"/".join(k.path) for k in defs.resolve_job_def("crm_monthly").asset_layer.selected_asset_keys} \
        == {"gold/sales_pipeline_monthly"}
    assert isinstance(node("gold/sales_pipeline_monthly").partitions_def, MonthlyPartitionsDefinition)
    assert node("gold/sales_pipeline_monthly").parent_keys == {AssetKey(["silver", "crm_deals"]),
                                                               AssetKey(["silver", "fx_rates"])}


def test_events_assets_run_in_jobs_of_their_own():
    def selected(job: str) -> set[str]:
        return {"/".join(k.path) for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}

    for name in ("daily_assets", "monthly_marts", "unpartitioned_tables"):  # runs without Kafka never read it
        assert not selected(name) & set(EVENTS)
    assert selected("events_stream") == {"bronze/events", "quarantine/events"}
    assert selected("events_daily") == {"silver/events", "gold/product_funnel_daily"}
    assert selected("events_monthly") == {"gold/customer_engagement_monthly"}
    assert node("gold/customer_engagement_monthly").parent_keys == {AssetKey(["silver", "events"]),
                                                                    AssetKey(["gold", "fact_sales"])}


def test_lineage_reads_bronze_to_gold():
    assert node("silver/orders").parent_keys == {AssetKey(["bronze", "orders"])}
    fact_parents = {"/".join(k.path) for k in node("gold/fact_sales").parent_keys}
    assert fact_parents == {"silver/orders", "silver/fx_rates", "silver/dim_customer", "silver/dim_product",
                            "silver/dim_store", "silver/dim_sales_person", "silver/dim_date"}


def test_every_asset_has_a_description_and_a_layer_group():
    for key in graph().get_all_asset_keys():
        asset = graph().get(key)
        assert asset.description, key
        assert asset.group_name == key.path[0] or (key.path[0] == "gold" and asset.group_name == "gold"), key


def test_jobs_cover_each_partitioning():
    for name in ("daily_assets", "monthly_marts", "unpartitioned_tables"):
        assert defs.resolve_job_def(name) is not None
