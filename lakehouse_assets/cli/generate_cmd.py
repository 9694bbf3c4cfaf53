"""`lakehouse generate`: write synthetic landing files for a date range.

    lakehouse generate --start DATE --days N [--rows-per-day N | --gb-per-day X]
                       [--seed N] [--defects RATE] [--landing-root PATH] [--quiet]

Without `--landing-root` the files go to the configured landing root (config/
`$LAKEHOUSE_ENV`.yaml or `$LAKEHOUSE_LANDING_ROOT`; `data/landing` locally), so
`lakehouse run` reads what `lakehouse generate` wrote. Bad arguments give a
one-line message and exit code 2; a failure while writing (disk, S3) exit code 1.

`--start` has no default: the files are a function of the arguments alone (same
arguments and seed, same bytes), never of today's date. For data that the
freshness check accepts, start `days` - 1 days before yesterday, as `make run`
does (`make run DAYS=3` generates yesterday-2 .. yesterday, UTC).
The first day of a range carries every currency's FX rate; later days miss a few
(the summary's `missing_rate`), which the pipeline bridges with the latest
earlier rate.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from lakehouse_assets.generate import DEFAULT_ROWS_PER_DAY, GenerateError, GenerateSummary, generate
from lakehouse_assets.settings import load_settings, resolve_root


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _one_line_error(parser: argparse.ArgumentParser) -> Callable[[str], None]:
    """argparse prints usage + error; we want a single line (and still exit code 2)."""
    def error(message: str) -> None:
        parser.exit(2, f"{parser.prog}: error: {message} (see --help)\n")
    return error


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `generate` subcommand to `subparsers`; `args.func(args)` runs it."""
    parser = subparsers.add_parser(
        "generate", help="write synthetic landing files (all sources, one folder per day)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.error = _one_line_error(parser)  # type: ignore[method-assign]
    parser.add_argument("--start", required=True, type=_iso_date, metavar="DATE",
                        help="first business date, YYYY-MM-DD (required: no default from today's date, "
                             "same arguments give the same files; `make run` starts DAYS-1 days before "
                             "yesterday, UTC)")
    parser.add_argument("--days", required=True, type=int, metavar="N", help="number of days (>= 1)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--rows-per-day", type=int, metavar="N",
                      help=f"orders data lines per day (default {DEFAULT_ROWS_PER_DAY:,})")
    size.add_argument("--gb-per-day", type=float, metavar="X",
                      help="orders CSV size per day in GB (10^9 bytes), instead of --rows-per-day")
    parser.add_argument("--seed", type=int, default=42, metavar="N",
                        help="random seed (default 42); same seed, same bytes")
    parser.add_argument("--defects", type=float, default=0.0, metavar="RATE",
                        help="share of defective lines per file, 0..1 (default 0)")
    parser.add_argument("--landing-root", metavar="PATH",
                        help="local folder or s3://bucket/prefix (default: the configured landing root)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--crm-url", metavar="JDBC_URL",
                        help="also fill the CRM database there (jdbc:postgresql://HOST:PORT/DB; user and password "
                             "from LAKEHOUSE_CRM_USER/PASSWORD) with the days' contacts and deals (docs/sources.md)")
    parser.add_argument("--kafka-bootstrap", metavar="HOST:PORT",
                        help="also send the days' behaviour events to Kafka topic retail.events there "
                             "(docs/sources.md; defects add malformed and re-sent messages)")
    parser.set_defaults(func=run)
    return parser


def landing_root_from(args: argparse.Namespace) -> str:
    """The explicit --landing-root (relative to the current directory) or the configured one."""
    if args.landing_root:
        return resolve_root(args.landing_root, Path.cwd())
    return load_settings().landing_root


def print_summary(summary: GenerateSummary, out: TextIO | None = None) -> None:
    """The final report: a header line, one line per source (files, rows, bytes, defects), totals."""
    out = out or sys.stdout
    print(f"generated {summary.days} day(s) from {summary.start.isoformat()} into {summary.landing_root} "
          f"(seed {summary.seed}, {summary.rows_per_day:,} order lines/day, defects {summary.defect_rate:g})",
          file=out)
    for line in summary.lines():
        print(f"  {line}", file=out)
    print(f"  {'total':<10}  rows {summary.total_rows:,}  bytes {summary.total_bytes:,}", file=out)


def run(args: argparse.Namespace) -> int:
    """Run `generate` for parsed arguments; returns the process exit code."""
    prog = "lakehouse generate"
    try:
        summary = generate(
            start=args.start, days=args.days, landing_root=landing_root_from(args),
            rows_per_day=args.rows_per_day, gb_per_day=args.gb_per_day, seed=args.seed,
            defects=args.defects, progress=not args.quiet)
    except GenerateError as error:
        option = "--" + error.argument.replace("_", "-")
        print(f"{prog}: error: {option} {error.problem.replace('gb_per_day', '--gb-per-day')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # disk full, S3 denied, ...: one line, not a traceback
        if not _is_io_error(error):
            raise
        print(f"{prog}: failed writing landing files: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print_summary(summary)
    if args.crm_url:
        from lakehouse_assets.cli.crm_cmd import fill_crm

        fill_crm(args.crm_url, args.start, args.days, args.seed, args.defects)
    if args.kafka_bootstrap:
        from lakehouse_assets.cli.events_cmd import produce_days

        produce_days(args.kafka_bootstrap, args.start, args.days, summary.rows_per_day, args.seed, args.defects)
    return 0


def _is_io_error(error: Exception) -> bool:
    """OSError or any botocore error (imported lazily: boto3 is only needed for S3)."""
    if isinstance(error, OSError):
        return True
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, (BotoCoreError, ClientError, Boto3Error))
