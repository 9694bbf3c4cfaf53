"""Daily FX rates: one row per currency, `rate_date` = the folder date.

A rate is its base value times a slow, smooth wander (a sum of a few sine waves
with seed-dependent phases, a few percent at most) times a little daily noise.
It is a function of the date alone, so any day can be produced on its own and
consecutive days still look like a random walk. About 5% of the non-USD
currency-days are deterministically missing (the summary's `missing_rate`
event), so the pipeline's look-back for the latest earlier rate (SPEC §4) is
exercised; USD is always present at 1.00000000.

The first day of a generated range is `complete`: it has every currency, like
the master-data snapshot of that day, because nothing earlier was generated for
its orders to look back to (a missing rate there left ~3% of a 3-day sample's
fact rows without USD amounts). Later days of the range miss rates as above and
always find an earlier one. Rates themselves never depend on the range.
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


def fx_rows(seed: int, day: date, complete: bool = False) -> tuple[list[list[str]], dict[str, int]]:
    """The fx_rates rows for `day` and how many currency rates are missing.

    `complete` (the first day of a range) keeps every currency; the rates and the
    other days' rows are the same either way.
    """
    rng = rng_for(seed, "fx_rates", day, "rates")
    rows: list[list[str]] = []
    missing = 0
    for currency in DEFAULT_CURRENCIES:
        noise = float(rng.normal(0.0, 0.001))
        absent = bool(rng.random() < MISSING_RATE_SHARE)
        if currency != "USD" and absent and not complete:
            missing += 1
            continue
        rows.append([fmt_date(day), currency, f"{usd_per_unit(seed, currency, day, noise):.8f}"])
    return rows, {"missing_rate": missing}
