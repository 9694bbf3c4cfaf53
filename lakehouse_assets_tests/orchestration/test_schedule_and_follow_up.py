"""The daily schedule picks the last complete business day; the follow-up sensor asks for
the months a daily run touched, customer lifetime value and (when configured) the archive."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    build_run_status_sensor_context,
    build_schedule_context,
)

from lakehouse_assets.orchestration import SCHEDULES, SENSORS
from lakehouse_assets.orchestration.archive import ARCHIVE_JOB
from lakehouse_assets.orchestration.follow_up import follow_up_daily_runs, follow_up_requests
from lakehouse_assets.orchestration.schedules import build_daily_schedule, last_complete_day
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.run_plan import DAILY_JOB, MONTHLY_JOB, RANGE_END_TAG, RANGE_START_TAG, UNPARTITIONED_JOB
from lakehouse_assets.settings import ConfigError, OrchestrationSettings, load_settings, settings_from_mapping


def daily_run(**tags: str) -> DagsterRun:
    return DagsterRun(job_name=DAILY_JOB, run_id="5f0c2a4e-0000-4000-8000-000000000001", tags=tags)


def test_schedule_hour_and_time_zone_come_from_config():
    paris = build_daily_schedule(OrchestrationSettings(timezone="Europe/Paris", daily_hour=5, daily_minute=30))
    assert paris.cron_schedule == "30 5 * * *"
    assert paris.execution_timezone == "Europe/Paris"
    tick = datetime(2024, 3, 5, 5, 30, tzinfo=ZoneInfo("Europe/Paris"))
    request = paris(build_schedule_context(scheduled_execution_time=tick))
    assert request.partition_key == "2024-03-04"
    assert request.run_key == "daily:2024-03-04"


def test_the_code_location_schedule_targets_the_daily_job():
    from lakehouse_assets.definitions import defs

    daily = defs.resolve_schedule_def("daily_lakehouse")
    tick = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
    context = build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def())
    [request] = daily.evaluate_tick(context).run_requests
    assert (request.partition_key, daily.job_name) == ("2024-03-04", DAILY_JOB)


def test_every_environment_configures_the_schedule():
    for env in ("local", "s3", "cluster", "test"):
        settings = load_settings(env).orchestration
        assert 0 <= settings.daily_hour <= 23 and settings.timezone
    defined = {s.name: s for s in SCHEDULES}
    assert set(defined) == {"daily_lakehouse", "weekly_maintenance", "fx_rates_yesterday",
                            "events_stream_every_15_minutes", "events_yesterday"}
    assert {s.name for s in SENSORS} == {"landing_files", "follow_up_daily_runs", "slack_on_run_failure",
                                         "register_catalog_after_runs"}


def test_last_complete_day_is_a_utc_day():
    assert str(last_complete_day(datetime(2024, 3, 5, 2, 0, tzinfo=UTC))) == "2024-03-04"
    # 06:00 in Tokyo is 21:00 UTC the day before: that UTC day has not ended yet.
    assert str(last_complete_day(datetime(2024, 3, 5, 6, 0, tzinfo=ZoneInfo("Asia/Tokyo")))) == "2024-03-03"


@pytest.mark.parametrize("raw, message", [
    ({"timezone": "Mars/Olympus"}, "not an IANA time zone"),
    ({"daily_hour": 24}, "out of range"),
    ({"maintenance": {"vacuum_retention_hours": 24}}, ">= 168"),
    ({"archive_landing": "no"}, "must be true or false"),
])
def test_bad_orchestration_config_is_one_clear_error(raw, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_mapping("x", {"landing_root": "a", "lakehouse_root": "b", "orchestration": raw})


def test_one_day_run_asks_for_its_month_and_the_unpartitioned_tables():
    requests = follow_up_requests(daily_run(**{"dagster/partition": "2024-02-29"}), archive=False)
    assert [r.job_name for r in requests] == [MONTHLY_JOB, UNPARTITIONED_JOB]
    assert requests[0].partition_key == "2024-02-01"
    assert requests[0].run_key.endswith(MONTHLY_JOB) and requests[1].partition_key is None


def test_range_run_asks_for_every_month_it_touches_in_one_run():
    run = daily_run(**{RANGE_START_TAG: "2024-01-30", RANGE_END_TAG: "2024-03-02"})
    monthly = follow_up_requests(run, archive=False)[0]
    assert monthly.partition_key is None
    assert (monthly.tags[RANGE_START_TAG], monthly.tags[RANGE_END_TAG]) == ("2024-01-01", "2024-03-01")


def test_archive_follows_only_when_configured():
    run = daily_run(**{"dagster/partition": "2024-02-29"})
    archive = follow_up_requests(run, archive=True)[-1]
    assert archive.job_name == ARCHIVE_JOB
    assert archive.run_config["ops"]["archive_landing_files"]["config"]["ingest_run_id"] == run.run_id
    assert follow_up_requests(daily_run(), archive=True) == []


def test_follow_up_sensor_reacts_to_a_successful_daily_run(monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    run = daily_run(**{"dagster/partition": "2024-01-15"})
    event = DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name=DAILY_JOB)
    with DagsterInstance.ephemeral() as instance:
        context = build_run_status_sensor_context(
            sensor_name="follow_up_daily_runs", dagster_event=event, dagster_instance=instance, dagster_run=run,
            resources={"lakehouse": LakehouseSettings()})
        requests = follow_up_daily_runs(context)
    assert [(r.job_name, r.partition_key) for r in requests] == [(MONTHLY_JOB, "2024-01-01"), (UNPARTITIONED_JOB, None)]
