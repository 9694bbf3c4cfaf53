"""Figure 3's counts: Spark SQL executions from an event log, Dagster steps from STEP_START
events, and the three rows they make in the report."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import DagsterInstance, job, op

from benchmarks.eventlog import (
    SQL_END,
    SQL_START,
    config_with_event_log,
    nested_sql_executions,
    sql_executions,
    started_steps,
)
from benchmarks.fixed import SQL_TARGET, TinyDayRun, figures
from benchmarks.memory import ProcessRun
from benchmarks.report import render


def write_log(path: Path, executions: int, torn_tail: bool = False) -> None:
    events = [{"Event": "SparkListenerApplicationStart", "App Name": "test"}]
    for i in range(executions):
        events += [{"Event": SQL_START, "executionId": i, "time": 1000 * i, "description": f"query {i}"},
                   {"Event": SQL_END, "executionId": i, "time": 1000 * i + 500}]
    text = "".join(json.dumps(e) + "\n" for e in events)
    path.write_text(text + ('{"Event": "SparkListenerJobStart", "Job' if torn_tail else ""))


def test_sql_executions_are_counted_per_log_file_and_a_torn_last_line_is_skipped(tmp_path: Path):
    write_log(tmp_path / "app-1", 3)
    write_log(tmp_path / "app-2.inprogress", 2, torn_tail=True)  # ids 0 and 1 again: another session
    assert sql_executions(tmp_path) == 5


def test_executions_run_inside_another_are_counted_as_nested(tmp_path: Path):
    """Spark 3.4+ names each execution's root: a Delta write's file-writing query runs inside
    the write command. Logs of older Sparks (no root field) count nothing as nested."""
    events = [{"Event": SQL_START, "executionId": 0, "rootExecutionId": 0, "time": 0},
              {"Event": SQL_START, "executionId": 1, "rootExecutionId": 0, "time": 10},
              {"Event": SQL_START, "executionId": 2, "rootExecutionId": 2, "time": 20},
              {"Event": SQL_START, "executionId": 3, "time": 30}]
    (tmp_path / "app-1").write_text("".join(json.dumps(e) + "\n" for e in events))
    assert sql_executions(tmp_path) == 4
    assert nested_sql_executions(tmp_path) == 1


def test_steps_are_the_step_start_events_of_the_runs():
    @op
    def one():
        return 1

    @op
    def two(x):
        return x + 1

    @job
    def two_steps():
        two(one())

    instance = DagsterInstance.ephemeral()
    first = two_steps.execute_in_process(instance=instance)
    second = two_steps.execute_in_process(instance=instance)
    assert started_steps(instance, [first.run_id]) == ["two_steps:one", "two_steps:two"]
    assert len(started_steps(instance)) == 4  # every run of the instance
    assert second.success


def test_the_event_log_config_is_a_copy_with_spark_event_log_on(tmp_path: Path, monkeypatch):
    import yaml

    monkeypatch.setenv("LAKEHOUSE_ENV", "local")
    folder = config_with_event_log(tmp_path / "config", tmp_path / "events")
    conf = yaml.safe_load((folder / "local.yaml").read_text())["spark"]["conf"]
    assert conf["spark.eventLog.enabled"] == "true"
    assert conf["spark.eventLog.dir"] == (tmp_path / "events").resolve().as_uri()


def test_figure_3_reports_time_sql_executions_and_steps_with_their_targets():
    runs = [TinyDayRun(ProcessRun(40.2 + i, 280.0, 2400.0), 85 + i, 30, 3, 20) for i in range(3)]
    by_number = {f.number: f for f in figures(runs, 200)}
    assert sorted(by_number) == ["3a", "3b", "3c"]
    assert by_number["3a"].value == 41.2 and by_number["3a"].verdict == "pass"
    assert by_number["3b"].value == 86 and by_number["3b"].target == SQL_TARGET
    assert by_number["3c"].value == 30 and by_number["3c"].verdict == "informative"
    text = render(list(by_number.values()), [("cores", "2")], "now", "", "make bench")
    assert "| 3a | Fixed cost: a tiny day (200 order lines) end to end, `lakehouse run` in a subprocess " \
           "| **41.2 s** | ≤ 45 | pass | 40.2, 41.2, 42.2 |" in text
    assert "| 3b | Fixed cost: Spark SQL executions of that run | **86** | ≤ 90 | pass | 85, 86, 87 |" in text
    assert "20 of them (median) nested in another" in by_number["3b"].detail
    assert "| 3c | Fixed cost: Dagster steps of that run | **30** |  | informative | 30, 30, 30 |" in text
