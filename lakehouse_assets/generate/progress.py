"""A one-line-per-day progress bar on stderr (silent unless stderr is a terminal).

It redraws in place with `\\r` after every orders chunk: rows and bytes written for
the day and the overall throughput, so a long `--gb-per-day` run shows it is alive.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import TextIO

BAR_WIDTH = 28


class Progress:
    """Progress of the day being written; every method is a no-op when disabled."""

    def __init__(self, enabled: bool, days: int, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and _is_tty(self.stream)
        self.days = days
        self.started = time.monotonic()
        self.total_bytes = 0
        self._label = ""
        self._rows = self._bytes = self._goal = 0

    def start_day(self, index: int, day: date, goal_rows: int) -> None:
        self._label = f"{day.isoformat()} ({index + 1}/{self.days})"
        self._rows, self._bytes, self._goal = 0, 0, max(goal_rows, 1)
        self._draw()

    def advance(self, rows: int, nbytes: int) -> None:
        self._rows += rows
        self._bytes += nbytes
        self.total_bytes += nbytes
        self._draw()

    def end_day(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        share = min(self._rows / self._goal, 1.0)
        filled = int(share * BAR_WIDTH)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.total_bytes / 1e9 / elapsed * 60
        self.stream.write(
            f"\r{self._label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} "
            f"{self._rows:,} order lines {self._bytes / 1e6:,.1f} MB  {rate:.2f} GB/min "
        )
        self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
