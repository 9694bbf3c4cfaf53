"""The `lakehouse` console script: `generate` landing data, `run` the asset graph, register the `catalog`,
manage the `mart` database."""

from __future__ import annotations

import argparse
import sys

from lakehouse_assets.cli import catalog_cmd, cluster_cmd, crm_cmd, events_cmd, fx_cmd, generate_cmd, mart_cmd, run_cmd
from lakehouse_assets.resources.jvm import JvmSetupError
from lakehouse_assets.settings import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    generate_cmd.register(subparsers)
    run_cmd.register(subparsers)
    catalog_cmd.register(subparsers)
    crm_cmd.register(subparsers)
    mart_cmd.register(subparsers)
    fx_cmd.register(subparsers)
    events_cmd.register(subparsers)
    cluster_cmd.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except run_cmd.UsageError as error:
        print(f"lakehouse {args.command}: {error}", file=sys.stderr)
        return 2
    except (ConfigError, JvmSetupError) as error:
        print(f"lakehouse {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
