"""`lakehouse fetch-fx`, the FX fetch at the start of `lakehouse run`, the `fetch_fx_rates` job and
the `fx_rates_yesterday` schedule, against the real local server. No JVM."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context

from lakehouse_assets.cli import run_cmd
from lakehouse_assets.cli.main import main
from lakehouse_assets.orchestration.fx_rates import FX_JOB, FX_SCHEDULE
from lakehouse_assets_tests.fx_api.servers import fx_api, fx_env

DAY = date(2024, 3, 5)


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    return tmp_path / "landing"


def landed(landing, day: date = DAY):
    return landing / f"fx_rates/date={day.isoformat()}/api.jsonl"


def test_fetch_fx_lands_each_day_of_the_range(landing, capsys):
    with fx_api() as server, fx_env(server):
        assert main(["fetch-fx", "--start", "2024-03-04", "--end", "2024-03-05"]) == 0
        assert main(["fetch-fx", "--start", "2024-03-05"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"fx_rates 2024-03-0{d}" for d in (4, 5, 5)]
    assert "landed at" in lines[0] and "unchanged (already landed)" in lines[2]
    assert landed(landing, date(2024, 3, 4)).is_file() and landed(landing).is_file()


def test_fetch_fx_without_the_url_says_what_to_set(landing, capsys):
    with fx_env(None):
        assert main(["fetch-fx", "--start", "2024-03-05"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lakehouse fetch-fx: set LAKEHOUSE_FX_API_URL (and LAKEHOUSE_FX_API_TOKEN) to the FX API to fetch from")


def test_a_bad_token_is_one_line_naming_the_variable(landing, capsys):
    with fx_api() as server, fx_env(server, token="not-the-token"):
        assert main(["fetch-fx", "--start", "2024-03-05"]) == 1
    err = capsys.readouterr().err
    assert err == (f"lakehouse fetch-fx: The FX API at {server.url} refused the bearer token (HTTP 401): "
                   "check LAKEHOUSE_FX_API_TOKEN.\n")
    assert not landed(landing).exists()


def test_the_configured_total_wait_bounds_the_fetch(landing, capsys):
    """config/test.yaml allows 3 s of Retry-After in all."""
    with fx_api(fail_first=100, fail_status=429, retry_after=1) as server, fx_env(server):
        started = time.monotonic()
        assert main(["fetch-fx", "--start", "2024-03-05"]) == 1
        elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert f"GET {server.url}/rates?date=2024-03-05&page=1: still HTTP 429 after waiting 3.0 s in total" in err
    assert "fx_api.max_wait_seconds = 3" in err and len(err.splitlines()) == 1
    assert 3.0 <= elapsed < 5.0


@pytest.fixture
def no_tables(monkeypatch):
    """`lakehouse run` with no Dagster run to make: only what it does before the tables."""
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    monkeypatch.delenv("LAKEHOUSE_MART_URL", raising=False)
    monkeypatch.setenv("LAKEHOUSE_CATALOG", "none")


def test_lakehouse_run_says_in_one_line_that_the_fx_api_is_skipped(landing, no_tables):
    output: list[str] = []
    with fx_env(None):
        assert run_cmd.execute(DAY, DAY, echo=output.append) == 0
    skipped = [line for line in output if "FX" in line]
    assert skipped == ["LAKEHOUSE_FX_API_URL is not set: fx_rates are not fetched from the FX API (landing files only)"]
    assert not (landing / "fx_rates").exists()


def test_lakehouse_run_fetches_the_range_first_when_the_url_is_set(landing, no_tables, capsys):
    output: list[str] = []
    with fx_api() as server, fx_env(server):
        assert run_cmd.execute(date(2024, 3, 4), DAY, echo=output.append) == 0
    with fx_api() as server, fx_env(server, token="wrong"):
        assert run_cmd.execute(DAY, DAY, echo=output.append) == 1
    assert "==> fx_rates from the FX API, 2024-03-04 to 2024-03-05" in output
    assert landed(landing, date(2024, 3, 4)).is_file() and landed(landing).is_file()
    assert capsys.readouterr().err.startswith("lakehouse run: The FX API at ")


def test_the_schedule_skips_without_the_url_and_asks_for_yesterday_with_it():
    from lakehouse_assets.definitions import defs

    schedule = defs.resolve_schedule_def(FX_SCHEDULE)
    assert schedule.job_name == FX_JOB
    tick = datetime(2024, 3, 6, 1, 0, tzinfo=UTC)
    context = build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def())
    with fx_env(None):
        skip = schedule(context)
    assert isinstance(skip, SkipReason) and "LAKEHOUSE_FX_API_URL is not set" in skip.skip_message
    with fx_api() as server, fx_env(server):
        request = schedule(context)
    assert isinstance(request, RunRequest) and request.partition_key == "2024-03-05"


def test_the_job_lands_its_partition_day_and_fails_clearly_on_a_bad_token(landing):
    from lakehouse_assets.definitions import defs

    fx = defs.resolve_job_def(FX_JOB)
    with DagsterInstance.ephemeral() as instance:
        with fx_api() as server, fx_env(server):
            ok = fx.execute_in_process(instance=instance, partition_key="2024-03-05")
        with fx_api() as server, fx_env(server, token="wrong"):
            bad = fx.execute_in_process(instance=instance, partition_key="2024-03-05", raise_on_error=False)
    assert ok.success and landed(landing).is_file()
    assert not bad.success
    [failure] = [e for e in bad.all_events if e.is_step_failure]
    assert "refused the bearer token (HTTP 401): check LAKEHOUSE_FX_API_TOKEN." in failure.message + str(
        failure.event_specific_data.error)
