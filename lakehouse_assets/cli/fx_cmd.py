"""`lakehouse fetch-fx` (land FX rates from the FX API), `lakehouse fx-api` (a local FX API
serving the generator's rates), and the fetch `lakehouse run` does first when
`LAKEHOUSE_FX_API_URL` is set (docs/sources.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, timedelta

from lakehouse_assets.cli import run_cmd  # the module: run_cmd imports this one too
from lakehouse_assets.fx_api.client import TOKEN_VAR, URL_VAR, FxApiClient, FxApiError, fx_api_configured
from lakehouse_assets.fx_api.landing import fetch_and_land
from lakehouse_assets.resources.storage import store_for
from lakehouse_assets.settings import load_settings


def fetch_days(start: date, end: date, echo: Callable[[str], None] = print) -> None:
    """Land every day of `[start, end]` from the FX API, one line a day; FxApiError on the first failure."""
    settings = load_settings()
    client = FxApiClient.from_env(settings.fx_api)
    store = store_for(settings.landing_root, encryption=settings.s3_encryption)
    day = start
    while day <= end:
        echo(fetch_and_land(client, store, settings.landing_root, day).describe())
        day += timedelta(days=1)


def fetch_before_run(start: date, end: date, echo: Callable[[str], None] = print) -> bool:
    """`lakehouse run`'s first step: the range's rates landed when the FX API is configured,
    one line saying it is skipped when not. False (the error printed) when the fetch failed."""
    if not fx_api_configured():
        echo(f"{URL_VAR} is not set: fx_rates are not fetched from the FX API (landing files only)")
        return True
    echo(f"==> fx_rates from the FX API, {start} to {end}")
    try:
        fetch_days(start, end, echo)
    except FxApiError as error:
        print(f"lakehouse run: {error}", file=sys.stderr)
        return False
    return True


def _fetch(args: argparse.Namespace) -> int:
    start = run_cmd.parse_day(args.start, "--start")
    end = run_cmd.parse_day(args.end, "--end") if args.end else start
    if end < start:
        raise run_cmd.UsageError(f"--end {end} is before --start {start}")
    if not fx_api_configured():
        raise run_cmd.UsageError(f"set {URL_VAR} (and {TOKEN_VAR}) to the FX API to fetch from")
    try:
        fetch_days(start, end)
    except FxApiError as error:
        print(f"lakehouse fetch-fx: {error}", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace) -> int:
    from lakehouse_assets.generate.fx_server import FxApiOptions, serve

    options = FxApiOptions(
        token=args.token, seed=args.seed, page_size=args.page_size,
        complete_day=run_cmd.parse_day(args.start, "--start") if args.start else None,
        fail_first=args.fail_first, fail_status=args.fail_status, retry_after=args.retry_after,
        retry_after_as_date=args.retry_after_as_date,
    )
    server = serve(options, args.host, args.port)
    print(f"FX API (seed {options.seed}, {options.page_size} rates a page) on {server.url}; point the "
          f"lakehouse at it with\n  export {URL_VAR}={server.url}\n  export {TOKEN_VAR}=<the --token given>",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    fetch = subparsers.add_parser("fetch-fx", help=f"land FX rates from the FX API ({URL_VAR})")
    fetch.add_argument("--start", required=True, help="first business date, YYYY-MM-DD")
    fetch.add_argument("--end", help="last business date, inclusive (default: --start)")
    fetch.set_defaults(func=_fetch)

    from lakehouse_assets.generate.fx_server import DEFAULT_PAGE_SIZE, DEFAULT_TOKEN

    api = subparsers.add_parser("fx-api", help="serve the generator's FX rates over HTTP (a local FX API)")
    api.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free port)")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--token", default=DEFAULT_TOKEN, help="the bearer token clients must send")
    api.add_argument("--seed", type=int, default=42, help="the seed given to `lakehouse generate`")
    api.add_argument("--start", help="the --start of `lakehouse generate`: that day has every currency")
    api.add_argument("--page-size", type=_positive, default=DEFAULT_PAGE_SIZE, help="rates per page")
    api.add_argument("--fail-first", type=int, default=0, metavar="K",
                     help="answer the first K requests with --fail-status and Retry-After")
    api.add_argument("--fail-status", type=int, choices=(429, 503), default=429)
    api.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS")
    api.add_argument("--retry-after-as-date", action="store_true", help="send Retry-After as an HTTP date")
    api.set_defaults(func=_serve)
