"""`lakehouse catalog`, the `register_catalog` job and the `catalog` setting, against moto's Glue server."""

from __future__ import annotations

import boto3
import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    RunRequest,
    SkipReason,
    build_run_status_sensor_context,
)

from lakehouse_assets.catalog.glue import glue_client
from lakehouse_assets.catalog.graph import graph_tables
from lakehouse_assets.catalog.job import catalog_job, register_catalog_after_runs
from lakehouse_assets.cli.catalog_cmd import after_run
from lakehouse_assets.cli.main import main
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.settings import ConfigError, load_settings


@pytest.fixture
def lake_on_s3(moto_s3, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ROOT", "s3://cli-bucket/lakehouse")
    return moto_s3


def test_lakehouse_catalog_registers_then_finds_nothing_to_change(lake_on_s3, capsys):
    tables = len(graph_tables())
    assert main(["catalog", "--database", "cli_lake"]) == 0
    first = capsys.readouterr().out
    assert f"{tables} table(s) in cli_lake (database created): {tables} created, 0 updated, 0 unchanged" in first
    assert "cli_lake.gold_fact_sales: created" in first
    assert main(["catalog", "--database", "cli_lake"]) == 0
    assert capsys.readouterr().out.strip() == f"{tables} table(s) in cli_lake: 0 created, 0 updated, {tables} unchanged"
    location = boto3.client("glue").get_table(DatabaseName="cli_lake", Name="silver_orders")["Table"][
        "StorageDescriptor"]["Location"]
    assert location == "s3://cli-bucket/lakehouse/silver/orders"


def test_dry_run_sends_nothing(lake_on_s3, capsys):
    assert main(["catalog", "--database", "cli_dry", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "cli_dry.gold_fact_sales: 23 columns at s3://cli-bucket/lakehouse/gold/fact_sales partitioned by " \
           "order_date" in out
    names = [d["Name"] for d in boto3.client("glue").get_databases()["DatabaseList"]]
    assert "cli_dry" not in names


def test_an_unreachable_catalog_is_one_line_and_exit_1(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert main(["catalog", "--database", "nowhere"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lakehouse catalog: registering in Glue database nowhere failed:")


def test_the_register_catalog_job_registers_the_configured_database(lake_on_s3, monkeypatch):
    result = catalog_job.execute_in_process(resources={"lakehouse": LakehouseSettings()})
    assert result.success
    [step] = result.get_step_success_events()
    assert step.step_key == "register_tables"
    tables = boto3.client("glue").get_tables(DatabaseName="retail_lakehouse")["TableList"]
    assert len(tables) == len(graph_tables())


def test_catalog_setting_is_off_unless_the_environment_turns_it_on(monkeypatch):
    monkeypatch.delenv("LAKEHOUSE_CATALOG", raising=False)
    assert load_settings("local").catalog.kind == "none"
    assert load_settings("local").catalog.database == "retail_lakehouse"
    monkeypatch.setenv("LAKEHOUSE_CATALOG", "GLUE")
    assert load_settings("local").catalog.kind == "glue"
    monkeypatch.setenv("LAKEHOUSE_CATALOG", "hive")
    with pytest.raises(ConfigError, match="catalog.kind: must be one of none, glue, not 'hive'"):
        load_settings("local")


@pytest.mark.parametrize(("kind", "requested"), [("none", False), ("glue", True)])
def test_the_sensor_requests_registration_only_when_the_catalog_is_glue(monkeypatch, kind, requested):
    monkeypatch.setenv("LAKEHOUSE_CATALOG", kind)
    event = DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name="daily_assets")
    with DagsterInstance.ephemeral() as instance:
        run = instance.create_run_for_job(catalog_job)  # stands in for the finished asset run
        context = build_run_status_sensor_context(
            sensor_name=register_catalog_after_runs.name, dagster_instance=instance, dagster_run=run,
            dagster_event=event, resources={"lakehouse": LakehouseSettings()},
        )
        out = register_catalog_after_runs(context)
    if requested:
        assert isinstance(out, RunRequest) and out.run_key == f"{run.run_id}:register_catalog"
    else:
        assert isinstance(out, SkipReason)


def test_the_glue_client_takes_the_region_from_aws_region(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert glue_client().meta.region_name == "eu-west-1"


@pytest.mark.parametrize("kind", ["none", "glue"])
def test_lakehouse_run_ends_with_registration_only_when_the_catalog_is_glue(lake_on_s3, monkeypatch, capsys, kind):
    monkeypatch.setenv("LAKEHOUSE_CATALOG", kind)
    monkeypatch.setenv("LAKEHOUSE_ROOT", f"s3://cli-bucket/after-run-{kind}")
    defs = Definitions(jobs=[catalog_job], resources={"lakehouse": LakehouseSettings()})
    with DagsterInstance.ephemeral() as instance:
        assert after_run(defs, instance) == 0
        runs = instance.get_runs()
    assert len(runs) == (1 if kind == "glue" else 0)
    glue = boto3.client("glue")
    locations = {t["StorageDescriptor"]["Location"] for t in glue.get_tables(DatabaseName="retail_lakehouse")[
        "TableList"]} if kind == "glue" else set()
    assert any(loc.startswith("s3://cli-bucket/after-run-glue/") for loc in locations) is (kind == "glue")
