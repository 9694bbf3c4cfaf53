"""Spark work per Dagster step: SQL executions and jobs from a Spark event log, attributed
to the step that was running when they started; and the steps themselves, from the
Dagster instance's event log.

Counting is steadier than timing on a shared machine: a step that starts three
Spark SQL executions instead of eight is cheaper whatever the load.
`config_with_event_log` turns Spark's event log on for a run without touching the
project's `config/`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SQL_START = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"
SQL_END = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd"


@dataclass
class SparkWork:
    """What Spark did inside one time span."""

    sql: list[tuple[float, float, str]] = field(default_factory=list)  # (start, seconds, description)
    jobs: int = 0
    tasks: int = 0


@dataclass(frozen=True)
class Span:
    name: str
    start: float  # epoch seconds
    end: float


def config_with_event_log(target: Path, events: Path) -> Path:
    """A copy of the configuration folder whose current environment writes a Spark event log
    into `events`; point LAKEHOUSE_CONFIG_DIR at the returned folder."""
    from lakehouse_assets.settings import DEFAULT_ENV, config_dir

    shutil.copytree(config_dir(), target)
    env_file = target / f"{os.environ.get('LAKEHOUSE_ENV', DEFAULT_ENV)}.yaml"
    raw = yaml.safe_load(env_file.read_text()) or {}
    spark = raw.setdefault("spark", {})
    spark["conf"] = {**(spark.get("conf") or {}), "spark.eventLog.enabled": "true",
                     "spark.eventLog.dir": events.resolve().as_uri()}
    env_file.write_text(yaml.safe_dump(raw))
    return target


def _events(path: Path) -> Iterable[dict]:
    """The events of one log file; a last line still being written (a live session's
    log) is skipped."""
    with path.open() as lines:
        for line in lines:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def read_events(folder: Path) -> tuple[dict[tuple, dict], dict[tuple, dict], dict[tuple, int]]:
    """SQL executions, jobs and per-stage task counts of every event log in `folder`, keyed by
    (log file, Spark's id): two sessions' logs number their executions from 0 each."""
    sqls: dict[tuple, dict] = {}
    jobs: dict[tuple, dict] = {}
    stage_tasks: dict[tuple, int] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        app = path.name
        for event in _events(path):
            kind = event["Event"]
            if kind == SQL_START:
                execution = event["executionId"]
                sqls[app, execution] = {"start": event["time"] / 1000, "end": event["time"] / 1000,
                                        "description": event.get("description", "")[:100],
                                        "nested": event.get("rootExecutionId", execution) != execution}
            elif kind == SQL_END and (app, event["executionId"]) in sqls:
                sqls[app, event["executionId"]]["end"] = event["time"] / 1000
            elif kind == "SparkListenerJobStart":
                jobs[app, event["Job ID"]] = {"start": event["Submission Time"] / 1000,
                                              "stages": [(app, s["Stage ID"]) for s in event["Stage Infos"]]}
            elif kind == "SparkListenerStageCompleted":
                info = event["Stage Info"]
                if "Submission Time" in info:  # skipped stages never ran
                    stage_tasks[app, info["Stage ID"]] = info["Number of Tasks"]
    return sqls, jobs, stage_tasks


def sql_executions(folder: Path) -> int:
    """How many Spark SQL executions the event logs in `folder` started."""
    return len(read_events(folder)[0])


def nested_sql_executions(folder: Path) -> int:
    """How many of them ran inside another execution (Spark 3.4+ names its root): a Delta
    write's file-writing query inside the write command, for example. Counted in
    `sql_executions` too, as Spark's UI counts them; this tells the statements the code
    issued (the rest) from the work Spark and Delta start within one."""
    return sum(1 for sql in read_events(folder)[0].values() if sql["nested"])


def attribute(spans: Iterable[Span], folder: Path) -> dict[str, SparkWork]:
    """Spark work per span name; what started outside every span is under "(between steps)"."""
    spans = sorted(spans, key=lambda s: s.start)
    sqls, jobs, stage_tasks = read_events(folder)
    work: dict[str, SparkWork] = defaultdict(SparkWork)

    def owner(moment: float) -> str:
        return next((s.name for s in spans if s.start <= moment <= s.end), "(between steps)")

    for sql in sqls.values():
        work[owner(sql["start"])].sql.append((sql["start"], sql["end"] - sql["start"], sql["description"]))
    for job in jobs.values():
        target = work[owner(job["start"])]
        target.jobs += 1
        target.tasks += sum(stage_tasks.get(s, 0) for s in job["stages"])
    return dict(work)


def step_spans(instance, run_ids: Iterable[str]) -> list[Span]:
    """Start and end of every step of the given runs, from the Dagster instance's event log."""
    from dagster import DagsterEventType

    spans: list[Span] = []
    for run_id in run_ids:
        started: dict[str, float] = {}
        run = instance.get_run_by_id(run_id)
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                started[event.step_key] = record.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                spans.append(Span(f"{run.job_name}:{event.step_key}", started.get(event.step_key, record.timestamp),
                                  record.timestamp))
    return spans


def started_steps(instance, run_ids: Iterable[str] | None = None) -> list[str]:
    """`job:step` of every STEP_START event of the given runs (default: every run of the
    instance), in the order they started: the steps a run executed, whatever the graph."""
    from dagster import DagsterEventType

    if run_ids is None:
        run_ids = [r.run_id for r in instance.get_runs()]
    found: list[tuple[float, str]] = []
    for run_id in run_ids:
        job = instance.get_run_by_id(run_id).job_name
        found += [(record.timestamp, f"{job}:{record.dagster_event.step_key}")
                  for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)]
    return [name for _, name in sorted(found)]


def table(spans: list[Span], work: dict[str, SparkWork], detail: bool = False) -> list[str]:
    """One line per step in run order: wall seconds, SQL executions, jobs, tasks; then totals."""
    lines = [f"{'seconds':>8} {'sql':>4} {'jobs':>5} {'tasks':>6}  step"]
    for span in sorted(spans, key=lambda s: s.start):
        w = work.get(span.name, SparkWork())
        lines.append(f"{span.end - span.start:8.2f} {len(w.sql):4d} {w.jobs:5d} {w.tasks:6d}  {span.name}")
        if detail:
            lines += [f"{'':>8} {seconds:10.2f}s  {text}" for _, seconds, text in sorted(w.sql)]
    between = work.get("(between steps)", SparkWork())
    lines.append(f"{'':>8} {len(between.sql):4d} {between.jobs:5d} {between.tasks:6d}  (between steps)")
    total_sql = sum(len(w.sql) for w in work.values())
    total_jobs = sum(w.jobs for w in work.values())
    lines.append(f"{sum(s.end - s.start for s in spans):8.2f} {total_sql:4d} {total_jobs:5d} "
                 f"{sum(w.tasks for w in work.values()):6d}  total over {len(spans)} steps")
    return lines
