"""`lakehouse crm start|stop|extract`, and the crm runs `lakehouse run` adds when a CRM database is set.

`start` and `stop` run a local PostgreSQL in a folder (`make stack`, `make stack-stop`) and
print the variables that point the lakehouse at it. `extract [--until DAY] [--full]` runs the
crm extraction job alone: incremental from the recorded high-water marks, or with `--full`
every row below the bound, ignoring them (bronze keeps one row per (id, updated_at), so a
full re-extract adds only what bronze lacks and rebuilds the same silver).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lakehouse_assets.cli.servers import start_server, stop_server
from lakehouse_assets.resources.crm_db import CRM_URL_VAR, CRM_USER_VAR, CrmDatabase, crm_configured
from lakehouse_assets.run_plan import CRM_EXTRACT_JOB, PlannedRun, crm_runs

DEFAULT_DATADIR = ".cache/postgres"


def crm_plan(start: date, end: date, echo: Callable[[str], None] = print) -> list[PlannedRun]:
    """The crm runs of `lakehouse run`; none (said in one line) when LAKEHOUSE_CRM_JDBC_URL is unset."""
    if not crm_configured():
        echo(f"{CRM_URL_VAR} is not set: the crm source is skipped (docs/sources.md)")
        return []
    return crm_runs(start, end)


def fill_crm(url: str, start: date, days: int, seed: int, defects: float, echo: Callable[[str], None] = print):
    """`lakehouse generate --crm-url`: the days' CRM rows committed to the database at `url`."""
    from lakehouse_assets.generate.crm import crm_days, fill

    db = CrmDatabase(url=url, user=os.environ.get(CRM_USER_VAR, "postgres"))
    connection = db.connect()
    try:
        counts = fill(connection, crm_days(seed, start, days, defects))
    finally:
        connection.close()
    echo(f"  {'crm':<10}  rows {counts['rows']:,} (+{counts['late']:,} late) into {url}")


def _server(args: argparse.Namespace):
    from lakehouse_assets.resources.postgres_server import LocalPostgres

    return LocalPostgres(Path(args.datadir), port=args.port)


def _start(args: argparse.Namespace) -> int:
    from lakehouse_assets.resources.postgres_server import ServerError

    server = _server(args)
    return start_server("crm", server, "PostgreSQL", server.datadir, errors=(ServerError,))


def _stop(args: argparse.Namespace) -> int:
    server = _server(args)
    return stop_server(server, "PostgreSQL", server.datadir)


def _extract(args: argparse.Namespace) -> int:
    if not crm_configured():
        print(f"lakehouse crm extract: set {CRM_URL_VAR} (jdbc:postgresql://HOST:PORT/DATABASE)", file=sys.stderr)
        return 2
    from lakehouse_assets.cli.run_cmd import _instance, failure_message
    from lakehouse_assets.definitions import defs

    run = PlannedRun(CRM_EXTRACT_JOB)
    config = {"until": args.until.isoformat() if args.until else "", "full": bool(args.full)}
    print(f"==> {run.describe()} ({'full' if args.full else 'incremental'}, until {args.until or 'now'})")
    result = defs.resolve_job_def(CRM_EXTRACT_JOB).execute_in_process(
        instance=_instance(), raise_on_error=False, run_config={"ops": {"crm": {"config": config}}})
    if not result.success:
        print(failure_message(run, result), file=sys.stderr)
        return 1
    for materialization in result.asset_materializations_for_node("crm"):
        metadata = materialization.metadata
        shown = {k: getattr(metadata.get(k), "value", None) for k in ("rows_read", "rows_added", "dagster/row_count")}
        figures = ", ".join(f"{k.split('/')[-1]} {v}" for k, v in shown.items() if v is not None)
        print(f"  {'/'.join(materialization.asset_key.path)}: {figures or 'written'}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("crm", help="the crm source: a local PostgreSQL, extraction (docs/sources.md)")
    commands = parser.add_subparsers(dest="crm_command", required=True)
    for name, func, text in (("start", _start, "start a local PostgreSQL for the CRM database"),
                             ("stop", _stop, "stop the local PostgreSQL")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--datadir", default=os.environ.get("LAKEHOUSE_CRM_DATADIR", DEFAULT_DATADIR))
        command.add_argument("--port", type=int, default=5433, help="TCP port on 127.0.0.1 (0: a free one)")
        command.set_defaults(func=func)
    extract = commands.add_parser("extract", help="extract the CRM tables into bronze, silver and dim_contact")
    extract.add_argument("--until", metavar="DATE", type=date.fromisoformat,
                         help="last business day to read, YYYY-MM-DD (default: up to now)")
    extract.add_argument("--full", action="store_true",
                         help="re-extract every row below the bound, ignoring the recorded high-water marks")
    extract.set_defaults(func=_extract)
