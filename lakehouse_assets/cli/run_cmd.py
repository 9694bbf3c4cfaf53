"""`lakehouse run --start DATE [--end DATE]`: materialize every asset for a date range.

With LAKEHOUSE_FX_API_URL set, the range's FX rates are first fetched and landed
(docs/sources.md). Daily tables run as one Dagster run over the whole range (single-run backfill),
then the monthly marts for the months the range touches, then the unpartitioned
tables: three runs in one process, so Spark starts once; with LAKEHOUSE_MART_URL set,
the same months and lifetime value exported to the mart database (docs/serving.md); then, when `catalog.kind` is
glue, the `register_catalog` job (docs/catalog.md). With LAKEHOUSE_KAFKA_BOOTSTRAP set, the events
source runs after the lakehouse's tables: the topic read to its end, then its days and months. Runs are recorded in
the Dagster instance at $DAGSTER_HOME (the UI shows them) when it is set.
With LAKEHOUSE_CRM_JDBC_URL set, the crm source is extracted up to the end of the last day and
built after the daily tables (docs/sources.md); unset, one line says it is skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date

from dagster import DagsterInvalidConfigError

from lakehouse_assets.cli import catalog_cmd, crm_cmd, events_cmd, fx_cmd, mart_cmd
from lakehouse_assets.cli.summary import print_summary
from lakehouse_assets.partitions import PARTITIONS_START
from lakehouse_assets.run_errors import config_error, step_error
from lakehouse_assets.run_plan import PlannedRun, plan_runs


class UsageError(ValueError):
    """A bad argument: printed as one line, exit code 2."""


def parse_day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


def checked_plan(start: date, end: date, today: date | None = None) -> list[PlannedRun]:
    """The runs that materialize `[start, end]` (inclusive) and everything downstream."""
    today = today or date.today()
    if end < start:
        raise UsageError(f"--end {end} is before --start {start}")
    if start < date.fromisoformat(PARTITIONS_START):
        raise UsageError(f"--start {start} is before the first partition ({PARTITIONS_START})")
    if end > today:
        raise UsageError(f"--end {end} is in the future (partitions end today, {today})")
    return plan_runs(start, end)


def _instance():
    from dagster import DagsterInstance

    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


MAX_STEPS_SHOWN = 3


def failure_message(run: PlannedRun, result) -> str:
    """One paragraph: which steps failed, for which partitions, and why in the error's own words."""
    failures = [e for e in result.all_events if e.is_step_failure]
    parts = [f"step {e.step_key}: {step_error(e)}" for e in failures]
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
    try:
        plan = checked_plan(start, end) + crm_cmd.crm_plan(start, end, echo) + events_cmd.events_plan(start, end, echo)
        plan += mart_cmd.export_plan(start, end, echo)
    except mart_cmd.MartError as error:
        print(f"lakehouse run: {error}", file=sys.stderr)
        return 1
    if not fx_cmd.fetch_before_run(start, end, echo):
        return 1
    for run in plan:
        echo(f"==> {run.describe()}")
        job = defs.resolve_job_def(run.job_name)
        try:
            result = job.execute_in_process(
                instance=instance, tags=run.tags, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
        except DagsterInvalidConfigError as error:  # raised before any step runs, whatever raise_on_error says
            print(f"lakehouse run: {run.describe()} did not start: {config_error(error)}. It wrote nothing.",
                  file=sys.stderr)
            return 1
        results.append(result)
        if not result.success:
            print(failure_message(run, result), file=sys.stderr)
            return 1
    print_summary(results, echo)
    return catalog_cmd.after_run(defs, instance, echo)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="materialize every asset for a date range")
    parser.add_argument("--start", required=True, help="first business date, YYYY-MM-DD")
    parser.add_argument("--end", help="last business date, inclusive (default: --start)")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    start = parse_day(args.start, "--start")
    end = parse_day(args.end, "--end") if args.end else start
    checked_plan(start, end)  # validate before starting Spark
    return execute(start, end)
