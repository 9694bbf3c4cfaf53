"""Check outcomes per business date, as the DQ report lists them: plain Python on what
`report_events` read from Dagster's event log.

For each date and check: this run's evaluation covering the date, else the most recent one
that does. An evaluation covers the dates it records (`dq/window_start` / `dq/window_end`)
or, for a check that records none, its run's partition or range. A check of an
unpartitioned table checks the whole table as its run left it, so an evaluation of one that
records no dates covers every date up to its run's data bound (`Evaluation.through`). The
date's `passed` and `description` are those of the evaluation's `dq/by_date` entry for that
date ({ISO date: {"passed", "description", ...}}, recorded when a check covers several
dates), else the evaluation's own. A check that never ran for the date is listed as not
evaluated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dagster import AssetCheckKey, AssetKey

from lakehouse_assets.checks.windows import BY_DATE, Window

NOT_EVALUATED = "not evaluated for this date"
MAX_DATES = 3  # dates listed in a check's detail


@dataclass(frozen=True)
class CheckRef:
    """A check the report lists: on `asset_key` (layer/table), named `check_name`;
    `unpartitioned`: its table is not partitioned (the check reads the whole table)."""

    asset_key: str
    check_name: str
    blocking: bool
    unpartitioned: bool = False

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(AssetKey(self.asset_key.split("/")), self.check_name)


@dataclass(frozen=True)
class Evaluation:
    """One recorded check evaluation: its overall outcome, the dates it covers (`window`, None:
    unknown), for a whole-table check the last date its table could hold (`through`: it covers
    every date up to it), and its metadata as plain values."""

    asset_key: str
    check_name: str
    passed: bool
    severity: str
    description: str
    window: Window | None
    run_id: str
    evaluated_at: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    through: date | None = None

    def covers(self, day: date) -> bool:
        if self.window is not None:
            return self.window.covers(day)
        return self.through is not None and day <= self.through

    def by_date(self) -> dict[str, Any]:
        value = self.metadata.get(BY_DATE)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return {}
        return value if isinstance(value, dict) else {}

    def on(self, day: date) -> tuple[bool, str]:
        """(passed, description) for `day`: its `dq/by_date` entry, else the whole evaluation's."""
        entry = self.by_date().get(day.isoformat())
        if not isinstance(entry, dict):
            return self.passed, self.description
        passed = entry.get("passed")
        description = entry.get("description")
        return (passed if isinstance(passed, bool) else self.passed,
                description if isinstance(description, str) else self.description)


@dataclass(frozen=True)
class Outcome:
    """One check's outcome for one business date (`passed` None: not evaluated): a report table row."""

    day: date
    asset_key: str
    check_name: str
    passed: bool | None
    severity: str | None
    blocking: bool
    description: str
    run_id: str | None
    evaluated_at: datetime | None

    def row(self) -> tuple:
        return (self.day, self.asset_key, self.check_name, self.passed, self.severity, self.blocking,
                self.description, self.run_id, self.evaluated_at)


def outcomes_for(checks: Iterable[CheckRef], evaluations: Mapping[tuple[str, str], Sequence[Evaluation]],
                 days: Sequence[date], run_id: str | None = None) -> list[Outcome]:
    """Per check and date, the outcome of the evaluation that covers the date: one of run
    `run_id` first, else the first in `evaluations` (most recent first)."""
    outcomes = []
    for check in checks:
        found = evaluations.get((check.asset_key, check.check_name), ())
        ranked = sorted(found, key=lambda e: e.run_id != run_id)  # stable: this run's, then by recency
        for day in days:
            hit = next((e for e in ranked if e.covers(day)), None)
            if hit is None:
                outcomes.append(Outcome(day, check.asset_key, check.check_name, None, None, check.blocking,
                                        NOT_EVALUATED, None, None))
                continue
            passed, description = hit.on(day)
            outcomes.append(Outcome(day, check.asset_key, check.check_name, passed, hit.severity, check.blocking,
                                    description, hit.run_id, hit.evaluated_at))
    return outcomes


@dataclass(frozen=True)
class CheckSummary:
    """One check over the report's dates: failed if it failed on any date."""

    asset_key: str
    check_name: str
    severity: str | None
    blocking: bool
    passed: bool | None  # None: evaluated on no date
    dates: int
    evaluated: int
    failed: int
    detail: str


def _detail(outcomes: Sequence[Outcome]) -> str:
    """The date's description; over several dates, their one description when they all say the
    same (a whole-window figure), else the failed (or else evaluated) dates' own, dated."""
    evaluated = [o for o in outcomes if o.passed is not None]
    if not evaluated:
        return NOT_EVALUATED if len(outcomes) == 1 else "not evaluated for these dates"
    if len(outcomes) == 1 or len({o.description for o in evaluated}) == 1:
        return evaluated[-1].description
    shown = [o for o in evaluated if o.passed is False] or evaluated
    listed = [f"{o.day.isoformat()}: {o.description}" for o in shown[:MAX_DATES]]
    more = len(shown) - len(listed)
    return "; ".join(listed) + (f"; and {more} more date(s)" if more > 0 else "")


def summarize(outcomes: Iterable[Outcome]) -> list[CheckSummary]:
    """One summary per check, in the order the checks first appear."""
    grouped: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        grouped[(o.asset_key, o.check_name)].append(o)
    summaries = []
    for (asset_key, check_name), found in grouped.items():
        found.sort(key=lambda o: o.day)
        evaluated = [o for o in found if o.passed is not None]
        failed = sum(1 for o in evaluated if not o.passed)
        severity = next((o.severity for o in reversed(evaluated) if o.severity), None)
        summaries.append(CheckSummary(
            asset_key, check_name, severity, found[0].blocking,
            None if not evaluated else failed == 0, len(found), len(evaluated), failed, _detail(found)))
    return summaries


def pass_rates(outcomes: Iterable[Outcome]) -> dict[date, tuple[int, int]]:
    """{date: (checks passed, checks evaluated)}."""
    rates: dict[date, tuple[int, int]] = {}
    for o in outcomes:
        if o.passed is None:
            continue
        passed, evaluated = rates.get(o.day, (0, 0))
        rates[o.day] = (passed + int(o.passed), evaluated + 1)
    return rates
