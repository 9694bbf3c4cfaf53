"""`lakehouse mart migrate|start|stop`, and the exports `lakehouse run` adds when a mart database is set.

`migrate` applies the pending versioned migrations to `LAKEHOUSE_MART_URL`'s database.
`start` and `stop` run a local MariaDB in a folder (`make stack` and `make stack-stop`):
`start` prints the variables that point `lakehouse run` at it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lakehouse_assets.cli.servers import start_server, stop_server
from lakehouse_assets.resources.mart_db import MART_URL_VAR, MartDatabase, mart_configured
from lakehouse_assets.run_plan import PlannedRun, serving_runs

DEFAULT_DATADIR = ".cache/mariadb"


class MartError(RuntimeError):
    """The mart database is misconfigured or unreachable, or a migration failed: one line says which."""


def apply_migrations(db: MartDatabase, echo: Callable[[str], None] = print) -> None:
    from lakehouse_assets.serving.migrate import current_version, migrate

    applied = migrate(db)
    names = ", ".join(m.path.name for m in applied) or "none pending"
    echo(f"mart database {db.database}: schema version {current_version(db)} (applied: {names})")


def export_plan(start: date, end: date, echo: Callable[[str], None] = print) -> list[PlannedRun]:
    """The serving runs of `lakehouse run` after the lakehouse's, its database migrated first;
    none (said in one line) when LAKEHOUSE_MART_URL is not set."""
    if not mart_configured():
        echo(f"{MART_URL_VAR} is not set: the marts are not exported to the mart database (docs/serving.md)")
        return []
    migrate_or_explain(MartDatabase.from_env(), echo)
    return serving_runs(start, end)


def migrate_or_explain(db: MartDatabase, echo: Callable[[str], None] = print) -> None:
    """Migrate `db`; any failure becomes a MartError naming the database, never a traceback."""
    import pymysql

    from lakehouse_assets.resources.mart_db import MartConfigError
    from lakehouse_assets.resources.secrets import SecretError
    from lakehouse_assets.serving.migrate import MigrationError

    try:
        apply_migrations(db, echo)
    except (pymysql.err.Error, MigrationError, MartConfigError, SecretError) as error:
        raise MartError(f"mart database {db.url}: {error}") from error


def _migrate(args: argparse.Namespace) -> int:
    if not mart_configured():
        print(f"lakehouse mart migrate: set {MART_URL_VAR} (mysql://HOST:PORT/retail_mart)")
        return 2
    try:
        migrate_or_explain(MartDatabase.from_env())
    except MartError as error:
        print(f"lakehouse mart migrate: {error}", file=sys.stderr)
        return 1
    return 0


def _server(args: argparse.Namespace):
    from lakehouse_assets.serving.local_server import LocalMariaDb

    return LocalMariaDb(Path(args.datadir), port=args.port)


def _start(args: argparse.Namespace) -> int:
    from lakehouse_assets.serving.local_server import ServerError

    server = _server(args)
    return start_server("mart", server, "MariaDB", server.datadir, errors=(ServerError,),
                        then=lambda: apply_migrations(MartDatabase.from_env(server.env())))


def _stop(args: argparse.Namespace) -> int:
    server = _server(args)
    return stop_server(server, "MariaDB", server.datadir)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mart", help="the mart database: migrations, a local server (docs/serving.md)")
    commands = parser.add_subparsers(dest="mart_command", required=True)
    commands.add_parser("migrate", help=f"apply pending migrations to {MART_URL_VAR}").set_defaults(func=_migrate)
    for name, func, text in (("start", _start, "start a local MariaDB and migrate it"),
                             ("stop", _stop, "stop the local MariaDB")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--datadir", default=os.environ.get("LAKEHOUSE_MART_DATADIR", DEFAULT_DATADIR))
        command.add_argument("--port", type=int, default=3307, help="TCP port on 127.0.0.1 (0: a free one)")
        command.set_defaults(func=func)
