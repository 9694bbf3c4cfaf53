"""Shared pieces of the synthetic data generator: seeded RNGs, geography, formatting.

Every random choice the generator makes comes from `rng_for(seed, ...)`, an RNG
derived from the seed and a fixed label (source, date, chunk, purpose). Nothing
depends on call order across labels, so the same arguments give byte-identical
files and any (source, date) can be produced independently of the others.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np

# Fake codes for `unknown_currency`: three upper-case letters that are no real
# ISO 4217 currency, so no configured currency list will ever contain them.
FAKE_CURRENCIES = ("XYZ", "QQQ", "ZZZ", "XXA")

# Base USD value of one unit of each currency; fx rates wander around these.
BASE_USD_PER_UNIT = {
    "USD": 1.0, "EUR": 1.09, "GBP": 1.27, "INR": 0.012,
    "JPY": 0.0068, "CAD": 0.74, "AUD": 0.66,
}

# Country -> (currency, [(city, state), ...]); state may be empty.
COUNTRIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "USA": ("USD", (("New York", "NY"), ("Los Angeles", "CA"), ("Chicago", "IL"),
                    ("Houston", "TX"), ("Seattle", "WA"), ("Miami", "FL"))),
    "UK": ("GBP", (("London", "England"), ("Manchester", "England"),
                   ("Edinburgh", "Scotland"), ("Cardiff", "Wales"))),
    "Germany": ("EUR", (("Berlin", "Berlin"), ("München", "Bayern"),
                        ("Hamburg", "Hamburg"), ("Köln", "Nordrhein-Westfalen"))),
    "France": ("EUR", (("Paris", "Île-de-France"), ("Lyon", "Auvergne-Rhône-Alpes"),
                       ("Marseille", "Provence-Alpes-Côte d'Azur"))),
    "India": ("INR", (("Mumbai", "Maharashtra"), ("Bengaluru", "Karnataka"),
                      ("Delhi", "Delhi"))),
    "Japan": ("JPY", (("Tokyo", "Tokyo"), ("Osaka", "Osaka"), ("Sapporo", "Hokkaido"))),
    "Canada": ("CAD", (("Toronto", "ON"), ("Vancouver", "BC"), ("Montréal", "QC"))),
    "Australia": ("AUD", (("Sydney", "NSW"), ("Melbourne", "VIC"), ("Brisbane", "QLD"))),
}

SECONDS_PER_DAY = 86_400


def _label_int(part: object) -> int:
    """A stable 64-bit integer for one RNG label part (str hash differs per process)."""
    if isinstance(part, bool):
        return int(part)
    if isinstance(part, int):
        return part
    if isinstance(part, date):
        return part.toordinal()
    digest = hashlib.sha256(str(part).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def rng_for(seed: int, *labels: object) -> np.random.Generator:
    """An RNG that depends only on the seed and the labels, e.g. (seed, "orders", day)."""
    entropy = [int(seed)] + [_label_int(p) for p in labels]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def fmt_date(day: date) -> str:
    return day.isoformat()


def fmt_ts(day: date, seconds: int) -> str:
    """`YYYY-MM-DD HH:MM:SS` for a second of `day` (seconds may exceed one day)."""
    day = day + timedelta(days=int(seconds) // SECONDS_PER_DAY)
    sec = int(seconds) % SECONDS_PER_DAY
    return f"{day.isoformat()} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"


def fmt_cents(cents: int) -> str:
    """Integer cents as a plain decimal with two places: -1250 -> `-12.50`."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def to_cents(text: str) -> int:
    """Inverse of `fmt_cents` for the generator's own well-formed values."""
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    cents = int(whole) * 100 + int((frac + "00")[:2])
    return -cents if negative else cents


def random_time(rng: np.random.Generator, day: date) -> str:
    """A timestamp at a uniformly random second of `day`."""
    return fmt_ts(day, int(rng.integers(0, SECONDS_PER_DAY)))
