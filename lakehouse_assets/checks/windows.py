"""Which dates a step and its checks cover.

Checks are not partitioned themselves (Dagster's partitioned checks are a preview
feature and record no partition for a range run such as `lakehouse run`'s). A check
is measured with its table's write, so it covers the dates the step writes: the
run's partition or partition range (`run_window`). Each result records its window
(`Window.metadata`) and its outcome per date (`BY_DATE`), which the DQ report reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dagster import AssetExecutionContext

from lakehouse_assets.io_managers.tables import window_predicate

WINDOW_START, WINDOW_END = "dq/window_start", "dq/window_end"
BY_DATE = "dq/by_date"  # a check result's outcome per date of its window


@dataclass(frozen=True)
class Window:
    """Business dates `[start, end)`."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        first, last = self.start.isoformat(), self.last_day.isoformat()
        return first if first == last else f"{first}..{last}"

    def predicate(self, column: str) -> str:
        return window_predicate(column, self.start, self.end)

    def covers(self, day: date) -> bool:
        return self.start <= day < self.end

    def metadata(self) -> dict[str, str]:
        return {WINDOW_START: self.start.isoformat(), WINDOW_END: self.end.isoformat()}


def run_window(context: AssetExecutionContext) -> Window | None:
    """The dates a partitioned step writes; None for an unpartitioned one."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    window = context.partition_time_window
    return Window(window.start.date(), window.end.date())


def window_from_metadata(metadata: dict) -> Window | None:
    """The window a check evaluation recorded (see `Window.metadata`)."""
    start, end = metadata.get(WINDOW_START), metadata.get(WINDOW_END)
    value = lambda v: getattr(v, "value", v)  # noqa: E731 - metadata entries or plain values
    if start is None or end is None:
        return None
    return Window(date.fromisoformat(value(start)), date.fromisoformat(value(end)))
