"""Figures measured when a table was written, per business date, as the DQ report shows them.

Quarantined rows by reason and fact rows: the latest materialization of each date's
partition (`report_events.latest_figures`), `dagster/row_count` and the validation's
`accounting/quarantine.<reason>`. A range run records the whole range's figures on each
of its partitions; they count once when the range lies within the report's dates, else
each date gets an even share (and the figure is marked approximate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from lakehouse_assets.checks.windows import Window

ROW_COUNT = "dagster/row_count"
QUARANTINE_REASON = "accounting/quarantine."  # validation's rows per reason, on quarantine/<source>
OTHER_REASON = "other"  # rows written beyond the recorded reasons


@dataclass(frozen=True)
class Figure:
    """Totals one write recorded for the dates it covered, e.g. {reason: rows} of quarantine/<group>."""

    group: str
    window: Window
    run_id: str
    values: Mapping[str, int]

    @property
    def key(self) -> tuple:
        return self.group, self.run_id, self.window


# (group, date) -> the figure of the date's latest write
LatestFigures = Mapping[tuple[str, date], Figure]


def figures_by_day(latest: LatestFigures) -> tuple[dict[tuple[date, str, str], float], set[date]]:
    """{(date, group, name): value}, a range's values shared evenly over its dates, and the
    dates where some value is such a share."""
    values: dict[tuple[date, str, str], float] = defaultdict(float)
    shared: set[date] = set()
    for (group, day), figure in latest.items():
        size = max(len(figure.window.days), 1)
        if size > 1:
            shared.add(day)
        for name, value in figure.values.items():
            values[(day, group, name)] += value / size
    return dict(values), shared


def totals_over(latest: LatestFigures, window: Window) -> tuple[dict[tuple[str, str], int], bool]:
    """{(group, name): total} over the dates of `window`, and whether some total holds a share of a
    write that also covered other dates (or whose other dates were written again since)."""
    covered: dict[tuple, tuple[Figure, set[date]]] = {}
    for (_, day), figure in latest.items():
        if window.covers(day):
            covered.setdefault(figure.key, (figure, set()))[1].add(day)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    approximate = False
    for figure, days in covered.values():
        whole = days == set(figure.window.days)
        approximate |= not whole
        share = 1.0 if whole else len(days) / max(len(figure.window.days), 1)
        for name, value in figure.values.items():
            totals[(figure.group, name)] += value * share
    return {k: int(round(v)) for k, v in totals.items()}, approximate


def quarantine_values(metadata: Mapping[str, Any]) -> dict[str, int]:
    """{reason: rows} of a quarantine/<source> materialization; rows beyond the recorded reasons
    (or all of them, when none is recorded) as `other`."""
    reasons = {k[len(QUARANTINE_REASON):]: int(v) for k, v in metadata.items()
               if k.startswith(QUARANTINE_REASON) and isinstance(v, (int, float)) and not isinstance(v, bool) and v}
    written = metadata.get(ROW_COUNT)
    if isinstance(written, int) and written > sum(reasons.values()):
        reasons[OTHER_REASON] = written - sum(reasons.values())
    return reasons


def row_count_values(metadata: Mapping[str, Any]) -> dict[str, int]:
    written = metadata.get(ROW_COUNT)
    return {"rows": int(written)} if isinstance(written, int) else {}
