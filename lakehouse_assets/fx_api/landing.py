"""The FX API's rates of a day landed as `fx_rates/date=YYYY-MM-DD/api.jsonl` (SPEC §2, §7).

One JSON object per rate, keys `rate_date`, `currency`, `usd_per_unit` (all text), in the
API's order, written as the generator writes jsonl. From there on the file is a landing
file like any other: the landing sensor sees it, bronze reads it, silver validates it.

Landing is idempotent: when the file already holds the same bytes nothing is written, so
its size and modification time stay and nothing is ingested again; changed rates replace
it whole (a hidden temporary file renamed over it locally, one PUT on S3), so a reader
never sees half a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lakehouse_assets.fx_api.client import FxApiClient, FxRate
from lakehouse_assets.generate.writers import jsonl_line
from lakehouse_assets.resources.storage import FileStore
from lakehouse_assets.sources import SOURCES

SOURCE = "fx_rates"
LANDED_NAME = "api.jsonl"
COLUMNS = SOURCES[SOURCE].columns  # rate_date, currency, usd_per_unit

LANDED, REPLACED, UNCHANGED, EMPTY = "landed", "replaced", "unchanged", "no rates"


@dataclass(frozen=True)
class LandedRates:
    """What landing one day did: `status` is landed, replaced, unchanged or no rates."""

    day: date
    uri: str
    rates: int
    status: str

    def describe(self) -> str:
        if self.status == EMPTY:
            return f"fx_rates {self.day}: the FX API has no rates for this day; nothing landed"
        verb = {LANDED: "landed", REPLACED: "replaced (the rates changed)",
                UNCHANGED: "unchanged (already landed)"}[self.status]
        return f"fx_rates {self.day}: {self.rates} rates {verb} at {self.uri}"


def landing_uri(landing_root: str, day: date) -> str:
    return f"{landing_root.rstrip('/')}/{SOURCE}/date={day.isoformat()}/{LANDED_NAME}"


def landing_bytes(day: date, rates: Sequence[FxRate]) -> bytes:
    """The file's content: one line per rate, `rate_date` the day asked for."""
    lines = (jsonl_line(COLUMNS, (day.isoformat(), rate.currency, rate.usd_per_unit)) for rate in rates)
    return "".join(lines).encode("utf-8")


def _same_content(store: FileStore, uri: str, data: bytes) -> bool | None:
    """True when `uri` holds exactly `data`, False when it holds something else, None when absent."""
    info = store.stat(uri)
    if info is None:
        return None
    if info.size != len(data):
        return False
    with store.open(uri) as handle:
        return handle.read() == data


def land_rates(store: FileStore, landing_root: str, day: date, rates: Sequence[FxRate]) -> LandedRates:
    """Write `day`'s rates as its api.jsonl unless the same bytes are there already."""
    uri = landing_uri(landing_root, day)
    if not rates:
        return LandedRates(day, uri, 0, EMPTY)
    data = landing_bytes(day, rates)
    same = _same_content(store, uri, data)
    if same:
        return LandedRates(day, uri, len(rates), UNCHANGED)
    with store.staged(uri) as path:
        path.write_bytes(data)
    return LandedRates(day, uri, len(rates), LANDED if same is None else REPLACED)


def fetch_and_land(client: FxApiClient, store: FileStore, landing_root: str, day: date) -> LandedRates:
    """Read `day`'s rates from the API and land them."""
    return land_rates(store, landing_root, day, client.rates(day))
