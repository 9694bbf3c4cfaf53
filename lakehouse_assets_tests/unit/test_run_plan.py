"""Run planning and run tags: one module used by the CLI, the schedule and the sensors (no JVM)."""

from __future__ import annotations

from datetime import date

from lakehouse_assets.run_plan import (
    DAILY_JOB,
    MONTHLY_JOB,
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    UNPARTITIONED_JOB,
    PlannedRun,
    downstream_runs,
    partition_label,
    plan_runs,
    range_tags,
    run_days,
)


def test_a_range_crossing_a_month_plans_daily_then_both_months_then_unpartitioned():
    runs = plan_runs(date(2024, 1, 30), date(2024, 2, 2))
    assert [r.job_name for r in runs] == [DAILY_JOB, MONTHLY_JOB, UNPARTITIONED_JOB]
    assert (runs[0].first, runs[0].last) == ("2024-01-30", "2024-02-02")
    assert (runs[1].first, runs[1].last) == ("2024-01-01", "2024-02-01")
    assert runs[2].first is None and RANGE_START_TAG not in runs[2].tags


def test_planned_runs_carry_range_tags_and_extra_tags():
    [monthly, unpartitioned] = downstream_runs(date(2024, 3, 5), date(2024, 3, 5), {"lakehouse/trigger": "x"})
    assert monthly.tags == {"lakehouse/trigger": "x", RANGE_START_TAG: "2024-03-01", RANGE_END_TAG: "2024-03-01"}
    assert unpartitioned.tags == {"lakehouse/trigger": "x"}
    assert monthly.describe() == f"{MONTHLY_JOB} [2024-03-01]"
    assert PlannedRun(DAILY_JOB, "2024-03-01", "2024-03-03").describe() == f"{DAILY_JOB} [2024-03-01..2024-03-03]"


def test_run_days_reads_a_partition_or_a_range():
    assert run_days({PARTITION_TAG: "2024-03-02"}) == (date(2024, 3, 2), date(2024, 3, 2))
    assert run_days(range_tags("2024-03-01", "2024-03-04")) == (date(2024, 3, 1), date(2024, 3, 4))
    assert run_days(range_tags("2024-03-01")) == (date(2024, 3, 1), date(2024, 3, 1))
    assert run_days({}) is None


def test_partition_label_says_what_a_run_covers():
    assert partition_label({PARTITION_TAG: "2024-03-02"}) == "2024-03-02"
    assert partition_label(range_tags("2024-03-01", "2024-03-04")) == "2024-03-01 .. 2024-03-04"
    assert partition_label({}) == "(not partitioned)"
