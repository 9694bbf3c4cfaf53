"""A local FX rates API (`lakehouse fx-api`): the generator's rates of any day, over HTTP.

`GET /rates?date=YYYY-MM-DD&page=N` with `Authorization: Bearer <token>` answers
`{"date", "rates": [{"currency", "usd_per_unit"}], "next_page"}` (SPEC §7), `page_size`
rates a page, pages numbered from 1. The rates are `fx.fx_rows(seed, day)`: the rows
`lakehouse generate --seed S` writes to `fx_rates_YYYYMMDD.csv` before defects; the day
given as `complete_day` (`--start` of the generate run) keeps every currency, as the
generator's first day does. `usd_per_unit` is sent as text so its eight decimals stay.

For tests of a client's patience, the first `fail_first` requests are answered with
`fail_status` (429 or 503) and `Retry-After: retry_after` (seconds, or an HTTP date with
`retry_after_as_date`); a missing or wrong token is a 401.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lakehouse_assets.generate.fx import fx_rows

DEFAULT_TOKEN = "local-fx-token"
DEFAULT_PAGE_SIZE = 3
POLL_SECONDS = 0.05  # how soon a server run in a thread notices it is shut down


@dataclass
class FxApiOptions:
    token: str = DEFAULT_TOKEN
    seed: int = 42
    page_size: int = DEFAULT_PAGE_SIZE
    complete_day: date | None = None
    fail_first: int = 0
    fail_status: int = 429
    retry_after: float = 1.0
    retry_after_as_date: bool = False


def rates_page(options: FxApiOptions, day: date, page: int) -> dict:
    """The answer to one page: that slice of the day's rates and the next page number (or None)."""
    rows, _ = fx_rows(options.seed, day, complete=day == options.complete_day)
    first = (page - 1) * options.page_size
    chunk = rows[first:first + options.page_size]
    more = first + options.page_size < len(rows)
    return {
        "date": day.isoformat(),
        "rates": [{"currency": currency, "usd_per_unit": rate} for _, currency, rate in chunk],
        "next_page": page + 1 if more else None,
    }


class FxApiServer(ThreadingHTTPServer):
    """The HTTP server; `requests` counts the GETs it answered (tests read it)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], options: FxApiOptions):
        super().__init__(address, _Handler)
        self.options = options
        self.requests = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def count(self) -> int:
        """This request's number, from 1."""
        with self._lock:
            self.requests += 1
            return self.requests

    def __enter__(self) -> FxApiServer:
        self._thread = threading.Thread(target=self.serve_forever, args=(POLL_SECONDS,), name="fx-api", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    server: FxApiServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the CLI prints one line at start

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        options = self.server.options
        number = self.server.count()
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") != "/rates":
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such resource {parts.path}; try /rates"})
        if self.headers.get("Authorization", "") != f"Bearer {options.token}":
            return self._json(HTTPStatus.UNAUTHORIZED, {"error": "missing or invalid bearer token"},
                              {"WWW-Authenticate": 'Bearer realm="fx"'})
        if number <= options.fail_first:
            return self._json(HTTPStatus(options.fail_status), {"error": "try again later"},
                              {"Retry-After": self._retry_after()})
        query = parse_qs(parts.query)
        try:
            day = date.fromisoformat(query["date"][0])
            page = int(query.get("page", ["1"])[0])
            if page < 1:
                raise ValueError(page)
        except (KeyError, ValueError):
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "date=YYYY-MM-DD and page>=1 are required"})
        self._json(HTTPStatus.OK, rates_page(options, day, page))

    def _retry_after(self) -> str:
        seconds = self.server.options.retry_after
        if self.server.options.retry_after_as_date:
            return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)
        return f"{seconds:g}"

    def _json(self, status: HTTPStatus, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def serve(options: FxApiOptions, host: str = "127.0.0.1", port: int = 0) -> FxApiServer:
    """A server bound to `host:port` (0: a free port); `with` it to run it in a thread."""
    return FxApiServer((host, port), options)
