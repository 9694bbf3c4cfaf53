"""`lakehouse catalog`: register every Delta table in the Glue database (docs/catalog.md).

Creates the database and the tables that are missing and updates a table only when its
definition changed, so it can be run any number of times. boto3 takes the endpoint,
region and credentials from the standard AWS environment (`AWS_ENDPOINT_URL` for a
Glue-compatible endpoint). No Spark is started. `lakehouse run` calls `after_run` to
register the tables once its runs succeeded, when `catalog.kind` is glue.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from lakehouse_assets.settings import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="register every Delta table in the Glue catalog")
    parser.add_argument("--database", help="Glue database (default: catalog.database, retail_lakehouse)")
    parser.add_argument("--dry-run", action="store_true",
                        help="list the tables, locations and partition keys; send nothing")
    parser.set_defaults(func=_main)


def _main(args: argparse.Namespace, echo: Callable[[str], None] = print) -> int:
    # Imported here, not at the top: `lakehouse --help` and `generate` need no asset graph.
    from botocore.exceptions import BotoCoreError, ClientError

    from lakehouse_assets.catalog.glue import UNCHANGED
    from lakehouse_assets.catalog.graph import graph_tables
    from lakehouse_assets.catalog.register import register_lakehouse
    from lakehouse_assets.catalog.tables import table_location

    settings = load_settings()
    database = args.database or settings.catalog.database
    tables = graph_tables()
    if args.dry_run:
        for table in tables:
            keys = f" partitioned by {', '.join(table.partition_keys)}" if table.partition_keys else ""
            echo(f"{database}.{table.name}: {len(table.columns)} columns at "
                 f"{table_location(settings.lakehouse_root, table.key)}{keys}")
        return 0
    try:
        result = register_lakehouse(settings.lakehouse_root, database, tables)
    except (BotoCoreError, ClientError) as error:
        print(f"lakehouse catalog: registering in Glue database {database} failed: {error}", file=sys.stderr)
        return 1
    for name, outcome in sorted(result.tables.items()):
        if outcome != UNCHANGED:
            echo(f"{database}.{name}: {outcome}")
    echo(result.summary())
    return 0


def after_run(defs, instance, echo: Callable[[str], None] = print) -> int:
    """The `register_catalog` job in this process, when `catalog.kind` is glue; 0 otherwise."""
    if load_settings().catalog.kind != "glue":
        return 0
    from lakehouse_assets.catalog.job import CATALOG_JOB

    echo(f"==> {CATALOG_JOB}")
    result = defs.resolve_job_def(CATALOG_JOB).execute_in_process(instance=instance, raise_on_error=False)
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_step_failure and e.message]
        print(f"lakehouse run: the tables are written but registering them in Glue failed (run id "
              f"{result.run_id}): {failures[-1] if failures else 'see the run log'}. "
              "`lakehouse catalog` retries the registration alone.", file=sys.stderr)
        return 1
    return 0
