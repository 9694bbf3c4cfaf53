"""Daily FX rates: one row per currency, `rate_date` = the folder date.

A rate is its base value times a slow, smooth wander (a sum of a few sine waves
with seed-dependent phases, a few percent at most) times a little daily noise.
It is a function of the date alone, so any day can be produced on its own and
consecutive days still look like a random walk. About 5% of the non-USD
currency-days are deterministically missing, so the pipeline's look-back for the
latest earlier rate is exercised; USD is always present at 1.00000000.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from lakehouse_assets.generate.common import BASE_USD_PER_UNIT, fmt_date, rng_for
from lakehouse_assets.sources import DEFAULT_CURRENCIES

MISSING_RATE_SHARE = 0.05
_PERIODS = np.array([11.0, 37.0, 97.0, 263.0])   # days
_AMPLITUDES = np.array([0.002, 0.006, 0.012, 0.025])


def usd_per_unit(seed: int, currency: str, day: date, noise: float) -> float:
    """The rate of `currency` on `day`: base x smooth wander x (1 + noise)."""
    if currency == "USD":
        return 1.0
    phases = rng_for(seed, "fx", "phases", currency).uniform(0.0, 2 * np.pi, size=len(_PERIODS))
    wander = float(np.sum(_AMPLITUDES * np.sin(2 * np.pi * day.toordinal() / _PERIODS + phases)))
    return BASE_USD_PER_UNIT[currency] * float(np.exp(wander)) * (1.0 + noise)


def fx_rows(seed: int, day: date) -> tuple[list[list[str]], dict[str, int]]:
    """The fx_rates rows for `day` and how many currency rates are missing."""
    rng = rng_for(seed, "fx_rates", day, "rates")
    rows: list[list[str]] = []
    missing = 0
    for currency in DEFAULT_CURRENCIES:
        noise = float(rng.normal(0.0, 0.001))
        absent = bool(rng.random() < MISSING_RATE_SHARE)
        if currency != "USD" and absent:
            missing += 1
            continue
        rows.append([fmt_date(day), currency, f"{usd_per_unit(seed, currency, day, noise):.8f}"])
    return rows, {"missing_rate": missing}
