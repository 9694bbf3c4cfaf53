"""The FX rates API (SPEC §7): `GET {url}/rates?date=YYYY-MM-DD&page=N` with a bearer token.

One day's rates are the `rates` of every page, following `next_page` until it is null.
A 429 or 503 is asked again after its `Retry-After` (seconds or an HTTP date) while the
waits of the fetch add up to at most `max_wait_seconds`; a 401 or 403 is a configuration
error naming the variable to check. Every failure is an `FxApiError` whose message is one
line naming the URL (the token never appears in it).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime

from lakehouse_assets.resources.secrets import resolve_secret
from lakehouse_assets.settings_sections import FxApiSettings

URL_VAR = "LAKEHOUSE_FX_API_URL"
TOKEN_VAR = "LAKEHOUSE_FX_API_TOKEN"
RETRIED_STATUSES = (429, 503)
AUTH_STATUSES = (401, 403)
DEFAULT_RETRY_AFTER_SECONDS = 1.0  # a 429/503 without a usable Retry-After
MAX_PAGES = 1000
BODY_SHOWN = 200


class FxApiError(RuntimeError):
    """The FX API could not be read; the message is one line that names the URL."""


class FxApiConfigError(FxApiError):
    """A variable is missing, or the API refused the token: the message says which variable to check."""


def fx_api_configured() -> bool:
    return bool(os.environ.get(URL_VAR))


@dataclass(frozen=True)
class FxRate:
    """One rate as the API gave it; `usd_per_unit` is its text (a JSON number keeps its digits)."""

    currency: str | None
    usd_per_unit: str | None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return DEFAULT_RETRY_AFTER_SECONDS
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


@dataclass
class FxApiClient:
    """Reads one day's rates from `url`; `sleep` is injectable, `waited` is this client's total wait."""

    url: str
    token: str = field(repr=False)
    timeout_seconds: float = 30.0
    max_wait_seconds: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0

    @classmethod
    def from_env(cls, settings: FxApiSettings | None = None, environ: dict[str, str] | None = None) -> FxApiClient:
        """The client of `LAKEHOUSE_FX_API_URL` and `LAKEHOUSE_FX_API_TOKEN` (the token may be an
        `aws-secretsmanager:` reference), with `config/<env>.yaml`'s `fx_api` timeouts."""
        env = os.environ if environ is None else environ
        settings = settings or FxApiSettings()
        url, token = env.get(URL_VAR, "").strip(), env.get(TOKEN_VAR, "")
        if not url:
            raise FxApiConfigError(f"{URL_VAR} is not set: set it to the FX API's base URL (docs/sources.md).")
        if not url.startswith(("http://", "https://")):
            raise FxApiConfigError(f"{URL_VAR}={url!r} is not an http:// or https:// URL.")
        if not token:
            raise FxApiConfigError(f"{TOKEN_VAR} is not set: set it to the bearer token of the FX API at {url}.")
        return cls(url.rstrip("/"), resolve_secret(token, TOKEN_VAR),
                   settings.timeout_seconds, settings.max_wait_seconds)

    def page_url(self, day: date, page: int) -> str:
        return f"{self.url}/rates?{urllib.parse.urlencode({'date': day.isoformat(), 'page': page})}"

    def rates(self, day: date) -> list[FxRate]:
        """Every rate of `day`, page after page."""
        rates: list[FxRate] = []
        page: int | None = 1
        seen: set[int] = set()
        while page is not None:
            if page in seen or len(seen) >= MAX_PAGES:
                raise FxApiError(f"GET {self.page_url(day, page)}: the pages do not end "
                                 f"(next_page {page} after pages {sorted(seen)[:10]}...)")
            seen.add(page)
            body = self._get(self.page_url(day, page))
            page_rates, page = self._parsed(body, day, self.page_url(day, page))
            rates.extend(page_rates)
        return rates

    def _parsed(self, body: bytes, day: date, url: str) -> tuple[list[FxRate], int | None]:
        """One page's rates and its `next_page`; anything else is an FxApiError naming the URL."""
        try:
            doc = json.loads(body, parse_float=Decimal)
        except ValueError as error:
            raise FxApiError(f"GET {url}: the response is not JSON ({error})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("rates"), list) or "next_page" not in doc:
            raise FxApiError(f"GET {url}: the response lacks `rates` (a list) or `next_page`: {body[:BODY_SHOWN]!r}")
        if doc.get("date") != day.isoformat():
            raise FxApiError(f"GET {url}: the response is for date {doc.get('date')!r}, not {day.isoformat()}")
        next_page = doc["next_page"]
        if next_page is not None and (isinstance(next_page, bool) or not isinstance(next_page, int)):
            raise FxApiError(f"GET {url}: next_page must be a page number or null, not {next_page!r}")
        rates = []
        for item in doc["rates"]:
            if not isinstance(item, dict):
                raise FxApiError(f"GET {url}: a rate is not an object: {item!r}")
            rates.append(FxRate(_text(item.get("currency")), _text(item.get("usd_per_unit"))))
        return rates, next_page

    def _get(self, url: str) -> bytes:
        """The body of a 200 answer to `url`, waiting out 429/503 within the fetch's budget."""
        while True:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}",
                                                           "Accept": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                with error:  # closes the answer's connection
                    self._handle_status(url, error)
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise FxApiError(f"GET {url}: cannot reach the FX API ({reason}); check {URL_VAR}.") from None

    def _handle_status(self, url: str, error: urllib.error.HTTPError) -> None:
        """Return after waiting when the answer may be asked again; raise otherwise."""
        status = error.code
        if status in AUTH_STATUSES:
            raise FxApiConfigError(f"The FX API at {self.url} refused the bearer token (HTTP {status}): "
                                   f"check {TOKEN_VAR}.") from None
        if status not in RETRIED_STATUSES:
            detail = error.read()[:BODY_SHOWN].decode("utf-8", "replace").strip()
            raise FxApiError(f"GET {url}: HTTP {status} {error.reason}{': ' + detail if detail else ''}") from None
        delay = retry_after_seconds(error.headers.get("Retry-After"))
        if self.waited + delay > self.max_wait_seconds:
            raise FxApiError(
                f"GET {url}: still HTTP {status} after waiting {self.waited:.1f} s in total "
                f"(the next Retry-After, {delay:.1f} s, would pass fx_api.max_wait_seconds = "
                f"{self.max_wait_seconds:g}); try again later.") from None
        self.sleep(delay)
        self.waited += delay


def _text(value: object) -> str | None:
    """A JSON value as the landing format's text: strings as they are, numbers with their digits."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return json.dumps(value)
