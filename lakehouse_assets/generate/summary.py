"""What a `generate` run wrote: files, data lines and bytes per source, defects per kind.

Rows are data lines as landed (header excluded), including duplicate lines and
the lines of a re-delivered file, so they equal what bronze must account for.
`defects` counts the injected lines per kind (SPEC §3 reasons plus `duplicate` and
`duplicate_changed`); `events` counts the normal irregularities (changes, re-sent
and late master records, missing fx rates, re-delivered files).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

SOURCE_ORDER = ("orders", "customers", "products", "stores", "sales_team", "fx_rates")


@dataclass
class SourceSummary:
    """Totals for one source over all days of a run."""

    files: int = 0
    rows: int = 0
    bytes: int = 0
    defects: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)

    def add_file(self, rows: int, nbytes: int, defects: dict | None = None, events: dict | None = None) -> None:
        """Count one written file: its data lines, size in bytes, defects and events."""
        self.files += 1
        self.rows += rows
        self.bytes += nbytes
        self.defects.update(defects or {})
        self.events.update(events or {})


@dataclass
class GenerateSummary:
    """The result of `generate`: the effective arguments and a `SourceSummary` per source."""

    landing_root: str
    start: date
    days: int
    rows_per_day: int
    seed: int
    defect_rate: float
    sources: dict[str, SourceSummary] = field(
        default_factory=lambda: {s: SourceSummary() for s in SOURCE_ORDER})

    @property
    def total_bytes(self) -> int:
        return sum(s.bytes for s in self.sources.values())

    @property
    def total_rows(self) -> int:
        return sum(s.rows for s in self.sources.values())

    def lines(self) -> list[str]:
        """One human-readable line per source, for the CLI's final report."""
        out = []
        for name, s in self.sources.items():
            defects = sum(s.defects.values())
            detail = ", ".join(f"{k} {v:,}" for k, v in sorted(s.defects.items()) if v)
            out.append(f"{name:<10}  files {s.files:>4,}  rows {s.rows:>12,}  bytes {s.bytes:>15,}  "
                       f"defective {defects:,}" + (f" ({detail})" if detail else ""))
        return out
