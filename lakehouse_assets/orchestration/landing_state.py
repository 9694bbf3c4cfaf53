"""The landing sensor's memory and decisions, as plain functions (no Dagster, no I/O).

The cursor Dagster persists between ticks holds two bounded sets of short digests:
- `seen`: every file version (path + ETag, or size + mtime) already handled, pruned to
  the files still in the landing zone, so a file starts a run once, even after a restart;
- `content`: the (source, date, SHA-256) of files that started runs, newest last, so a
  re-delivery of the same bytes does not start another run before the audit table
  lists the first copy (older entries are covered by `audit/ingested_files`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from lakehouse_assets.resources.landing import LandingFile

CURSOR_VERSION = 1
MAX_CONTENT_ENTRIES = 5000
DIGEST_CHARS = 16


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def file_digest(f: LandingFile) -> str:
    """One file version: the same path delivered again with other bytes is a new version."""
    return _digest(f.uri, f.version)


def content_digest(source: str, day: date, sha256: str) -> str:
    return _digest(source, day.isoformat(), sha256)


@dataclass
class LandingCursor:
    seen: set[str] = field(default_factory=set)
    content: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str | None) -> LandingCursor:
        """An empty cursor for a first tick; a cursor of another version is an error, not a reset
        (a silent reset would start runs for every file in the landing zone)."""
        if not text:
            return cls()
        raw = json.loads(text)
        if raw.get("v") != CURSOR_VERSION:
            raise ValueError(f"landing sensor cursor version {raw.get('v')!r} is not {CURSOR_VERSION}")
        return cls(seen=set(raw.get("seen", [])), content=list(raw.get("content", [])))

    def dump(self) -> str:
        return json.dumps({"v": CURSOR_VERSION, "seen": sorted(self.seen),
                           "content": self.content[-MAX_CONTENT_ENTRIES:]}, separators=(",", ":"))


def within_budget(files: list[LandingFile], budget_bytes: int) -> list[LandingFile]:
    """The oldest arrivals whose sizes fit the hashing budget of one tick (at least one file)."""
    chosen: list[LandingFile] = []
    total = 0
    for f in sorted(files, key=lambda f: (f.modified_at, f.uri)):
        if chosen and total + f.size > budget_bytes:
            break
        chosen.append(f)
        total += f.size
    return chosen


def date_ranges(days: set[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped as inclusive (first, last) ranges: one run per range."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def run_key(files: list[LandingFile]) -> str:
    """The same set of file versions always asks for the same run, so Dagster starts it once."""
    return "landing:" + _digest(*sorted(file_digest(f) for f in files))
