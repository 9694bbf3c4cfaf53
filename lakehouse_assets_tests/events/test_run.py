"""`lakehouse run` with and without the events source: one line when LAKEHOUSE_KAFKA_BOOTSTRAP is unset;
with it set, `lakehouse generate --kafka-bootstrap` events read to the end of the range and built into
silver and gold, against plain Python (events/reference.py) on the generator's messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lakehouse_assets.cli import run_cmd
from lakehouse_assets.cli.main import main
from lakehouse_assets.generate.events import event_messages
from lakehouse_assets.resources.kafka import BOOTSTRAP_VAR
from lakehouse_assets_tests.events import reference as spec
from lakehouse_assets_tests.pipeline import DAY1, DAY2, ROWS_PER_DAY
from lakehouse_assets_tests.pipeline import SEED as REFERENCE_SEED

START, END = DAY1, DAY2  # the reference lakehouse's two days, two months
SEED, ROWS, DEFECTS = REFERENCE_SEED, ROWS_PER_DAY, 0.05


@pytest.fixture
def lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("LAKEHOUSE_CATALOG", "none")
    for unset in ("LAKEHOUSE_MART_URL", "LAKEHOUSE_CRM_JDBC_URL", "LAKEHOUSE_FX_API_URL"):
        monkeypatch.delenv(unset, raising=False)
    return tmp_path / "lakehouse"


def test_lakehouse_run_says_in_one_line_that_the_events_source_is_skipped(lakehouse, monkeypatch):
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    monkeypatch.delenv(BOOTSTRAP_VAR, raising=False)
    output: list[str] = []
    assert run_cmd.execute(START, END, echo=output.append) == 0
    assert [line for line in output if "events" in line or "==>" in line] == [
        "LAKEHOUSE_KAFKA_BOOTSTRAP is not set: the events source (Kafka topic retail.events) is skipped"]
    assert not (lakehouse / "bronze" / "events").exists()


@pytest.mark.slow
def test_lakehouse_run_reads_the_topic_and_builds_the_events_tables(spark, kafka, lakehouse, reference, monkeypatch,
                                                                    capsys):
    """Over a copy of the reference lakehouse, whose gold/fact_sales the engagement mart reads:
    the file sources' runs are left out of the plan (test_pipeline.py runs them), the events
    runs are not. The events are generated for the reference's days, customers and seed."""
    reference.copy_to(lakehouse)
    assert main(["generate", "--start", START.isoformat(), "--days", "2", "--rows-per-day", str(ROWS),
                 "--seed", str(SEED), "--defects", str(DEFECTS), "--quiet",
                 "--kafka-bootstrap", kafka.bootstrap]) == 0
    assert "to retail.events on" in capsys.readouterr().out
    monkeypatch.setenv(BOOTSTRAP_VAR, kafka.bootstrap)
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    output: list[str] = []
    assert run_cmd.execute(START, END, echo=output.append) == 0
    assert [line for line in output if line.startswith("==> ")] == [
        "==> events_stream", "==> events_daily [2024-01-31..2024-02-01]",
        "==> events_monthly [2024-01-01..2024-02-01]"]

    messages = event_messages(SEED, START, 2, ROWS, DEFECTS)
    events = spec.first_copies(m.value for m in messages if m.kind in ("event", "resent"))
    read = lambda table: spark.read.format("delta").load(str(lakehouse / table))  # noqa: E731

    silver = read("silver/events")
    assert sorted(r["event_id"] for r in silver.collect()) == sorted(e["event_id"] for e in events)
    assert read("quarantine/events").count() == sum(m.kind not in ("event", "resent") for m in messages)
    assert read("bronze/events").count() == len(messages)

    funnel = {(r["date"], r["product_id"]): (r["product_views"], r["add_to_carts"], r["purchases"],
                                             r["view_to_purchase_rate"])
              for r in read("gold/product_funnel_daily").collect()}
    assert funnel == spec.funnel(events)
    sales = [(r["order_date"], r["customer_id"], r["net_amount_usd"]) for r in read("gold/fact_sales").collect()]
    engagement = {(r["month"], r["customer_id"]): (r["sessions"], r["events"], r["purchase_events"], r["net_usd"])
                  for r in read("gold/customer_engagement_monthly").collect()}
    expected = spec.engagement(events, sales)
    assert engagement == expected
    assert any(net > 0 for *_, net in expected.values())  # the generator's customers do meet their sales
    assert json.loads(messages[0].value)["event_id"]  # the topic held the generator's messages


def test_the_schedules_skip_without_the_variable_and_ask_for_their_runs_with_it(monkeypatch):
    from dagster import DagsterInstance, RunRequest, build_schedule_context

    from lakehouse_assets.definitions import defs

    stream, daily = defs.resolve_schedule_def("events_stream_every_15_minutes"), defs.resolve_schedule_def(
        "events_yesterday")
    tick = datetime(2024, 4, 2, 2, 30, tzinfo=UTC)
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=tick,
                                         repository_def=defs.get_repository_def())
        monkeypatch.delenv(BOOTSTRAP_VAR, raising=False)
        for schedule in (stream, daily):
            assert schedule.evaluate_tick(context).skip_message.startswith("LAKEHOUSE_KAFKA_BOOTSTRAP is not set")
        monkeypatch.setenv(BOOTSTRAP_VAR, "127.0.0.1:9")
        (stream_run,) = stream.evaluate_tick(context).run_requests
        (daily_run,) = daily.evaluate_tick(context).run_requests
    assert stream.job_name == "events_stream" and daily.job_name == "events_daily"
    assert isinstance(stream_run, RunRequest) and daily_run.partition_key == "2024-04-01"
