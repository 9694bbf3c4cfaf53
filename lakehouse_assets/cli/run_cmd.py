"""`lakehouse run --start DATE [--end DATE]`: materialize every asset for a date range.

Daily tables run as one Dagster run over the whole range (single-run backfill),
then the monthly marts for the months the range touches, then the unpartitioned
tables: three runs in one process, so Spark starts once. Runs are recorded in
the Dagster instance at $DAGSTER_HOME (the UI shows them) when it is set.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from lakehouse_assets.cli.summary import print_summary
from lakehouse_assets.partitions import PARTITIONS_START, month_start

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


class UsageError(ValueError):
    """A bad argument: printed as one line, exit code 2."""


@dataclass
class PlannedRun:
    job_name: str
    first: str | None = None  # partition key range, inclusive; None = unpartitioned
    last: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.first is not None:
            self.tags = {RANGE_START_TAG: self.first, RANGE_END_TAG: self.last or self.first}

    def describe(self) -> str:
        if self.first is None:
            return self.job_name
        span = self.first if self.first == self.last else f"{self.first}..{self.last}"
        return f"{self.job_name} [{span}]"


def parse_day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


def plan_runs(start: date, end: date, today: date | None = None) -> list[PlannedRun]:
    """The runs that materialize `[start, end]` (inclusive) and everything downstream."""
    from lakehouse_assets.jobs import DAILY_JOB, MONTHLY_JOB, UNPARTITIONED_JOB

    today = today or date.today()
    if end < start:
        raise UsageError(f"--end {end} is before --start {start}")
    if start < date.fromisoformat(PARTITIONS_START):
        raise UsageError(f"--start {start} is before the first partition ({PARTITIONS_START})")
    if end > today:
        raise UsageError(f"--end {end} is in the future (partitions end today, {today})")
    return [
        PlannedRun(DAILY_JOB, start.isoformat(), end.isoformat()),
        PlannedRun(MONTHLY_JOB, month_start(start).isoformat(), month_start(end).isoformat()),
        PlannedRun(UNPARTITIONED_JOB),
    ]


def _instance():
    from dagster import DagsterInstance

    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


MAX_STEPS_SHOWN = 3
_JAVA_ERROR = re.compile(r"^[:\s]*((?:[a-z]\w*\.)+\w*(?:Exception|Error)\b.*)")


def root_cause(error) -> str:
    """The innermost error's most telling line (for Spark, the JVM exception's)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = [line.strip() for line in (error.message or "").splitlines() if line.strip()]
    for line in lines:
        match = _JAVA_ERROR.match(line)
        if match and not line.startswith("py4j."):  # py4j's own line only names the call
            return match.group(1)
    return lines[0] if lines else error.cls_name or "unknown error"


def failure_message(run: PlannedRun, result) -> str:
    """One paragraph: which steps failed, for which partitions, and why in the error's own words."""
    failures = [e for e in result.all_events if e.is_step_failure]
    parts = [f"step {e.step_key}: {root_cause(e.event_specific_data.error)}" for e in failures
             if getattr(e.event_specific_data, "error", None) is not None]
    if len(parts) > MAX_STEPS_SHOWN:
        parts = parts[:MAX_STEPS_SHOWN] + [f"and {len(parts) - MAX_STEPS_SHOWN} more failed steps"]
    if not parts:
        run_failures = [e for e in result.all_events if e.is_failure and e.message]
        parts = [run_failures[-1].message if run_failures else "the run failed before any step ran"]
    return (
        f"lakehouse run failed in {run.describe()}, run id {result.run_id}. {'; '.join(parts)}. "
        "Tables written by earlier steps are complete and a re-run of the same range is safe."
    )


def execute(start: date, end: date, echo: Callable[[str], None] = print) -> int:
    from lakehouse_assets.definitions import defs

    instance = _instance()
    results = []
    for run in plan_runs(start, end):
        echo(f"==> {run.describe()}")
        job = defs.resolve_job_def(run.job_name)
        result = job.execute_in_process(
            instance=instance, tags=run.tags, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
        results.append(result)
        if not result.success:
            print(failure_message(run, result), file=sys.stderr)
            return 1
    print_summary(results, echo)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="materialize every asset for a date range")
    parser.add_argument("--start", required=True, help="first business date, YYYY-MM-DD")
    parser.add_argument("--end", help="last business date, inclusive (default: --start)")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    start = parse_day(args.start, "--start")
    end = parse_day(args.end, "--end") if args.end else start
    plan_runs(start, end)  # validate before starting Spark
    return execute(start, end)
