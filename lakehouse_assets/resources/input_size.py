"""Spark settings sized to a step's input: a small day is not compiled.

A day of a few hundred lines is hundreds of small Spark queries. There, compiling each
plan to Java (whole-stage code generation, Janino for every expression) and spreading a
few rows over several shuffle partitions cost more than the rows do; on a day of a
gigabyte the compiled code is what makes the scans fast. So the Spark resource sizes
every partitioned step when the step first asks for the session: it adds up the landing
files of the step's dates (`landing_bytes`) and, when they come to at most
`spark.small_input.max_mb`, sets the SQL settings of `spark.small_input.conf` for that
step; a larger input, or a step without dates, gets the environment's own values back
(`step_conf`). They are runtime SQL settings, so one session serves both kinds of step.

The measure is the landing zone, live and archived: a step re-run after its landing
files were deleted counts as small. That changes how fast it runs, never what it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from lakehouse_assets.resources.landing import list_landing_files
from lakehouse_assets.resources.storage import FileStore, store_for
from lakehouse_assets.settings import Settings
from lakehouse_assets.sources import SOURCES

MB = 1024 * 1024


def landing_bytes(landing_root: str, days: Iterable[date], limit: int,
                  sources: Iterable[str] = SOURCES, store: FileStore | None = None) -> int:
    """The bytes of the landing files of `sources` for `days`, counted until they pass
    `limit` (then the sum so far, already above it): the largest source, orders, comes
    first, so a large input is found after one source's listing."""
    store = store or store_for(landing_root)
    days = sorted(set(days))
    total = 0
    for source in sources:
        total += sum(f.size for f in list_landing_files(landing_root, source, days, store))
        if total > limit:
            break
    return total


def input_is_small(settings: Settings, days: Iterable[date] | None) -> tuple[bool, int | None]:
    """Whether a step over `days` (None: a step without dates) gets the small-input settings,
    and the landing bytes that decided it (None when not measured)."""
    small = settings.spark.small_input
    days = list(days or [])
    if small.max_mb <= 0 or not small.conf or not days:
        return False, None
    limit = int(small.max_mb * MB)
    measured = landing_bytes(settings.landing_root, days, limit)
    return measured <= limit, measured


def step_conf(settings: Settings, base: Mapping[str, str], small: bool) -> dict[str, str | None]:
    """The value of every small-input setting for a step: the small value, else the
    environment's own (`base`, the session's settings at start), None where it has none."""
    return {key: value if small else base.get(key) for key, value in settings.spark.small_input.conf.items()}
