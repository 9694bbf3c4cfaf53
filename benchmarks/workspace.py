"""The benchmark's landing data and lakehouses, in one work folder.

Landing data is generated once per size and shared by the figures that use it.
The orders day is generated with 1% defects of every kind, so validation and
quarantine have work to do; the generator's re-delivered copy of the orders file
(it makes one on a defective range) is removed, so the day is one file of the
asked size and the bare copy reads exactly what bronze reads.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DAY = date(2024, 1, 1)
DEFECTS = 0.01
SEED = 1


@dataclass(frozen=True)
class Workspace:
    root: Path

    def landing(self, name: str) -> Path:
        return self.root / "landing" / name

    def lakehouse(self, name: str) -> Path:
        return self.root / "lakehouse" / name

    def drop(self, path: Path) -> None:
        """Delete a lakehouse no later figure needs (a 1 GB day leaves about a GB of tables)."""
        shutil.rmtree(path, ignore_errors=True)


def _generate(landing: Path, days: int, rows: int | None = None, gb: float | None = None,
              defects: float = DEFECTS) -> None:
    from lakehouse_assets.generate import generate

    if not landing.exists():
        generate(DAY, days, str(landing), rows_per_day=rows, gb_per_day=gb, seed=SEED,
                 defects=defects, progress=False)


def orders_day(ws: Workspace, gb: float) -> tuple[Path, list[str]]:
    """One day of every source with ~`gb` GB of orders CSV; (landing root, orders CSV files)."""
    landing = ws.landing(f"orders-{gb:g}gb")
    _generate(landing, 1, gb=gb)
    folder = landing / "orders" / f"date={DAY.isoformat()}"
    for copy in folder.glob("*_redelivered.csv"):
        copy.unlink()
    return landing, sorted(str(p) for p in folder.glob("*.csv"))


def tiny_day(ws: Workspace, rows: int) -> Path:
    landing = ws.landing(f"tiny-{rows}")
    _generate(landing, 1, rows=rows)
    return landing


def history(ws: Workspace, rows: int, days: int) -> Path:
    """`days` days without defects: a defective range re-delivers one day's orders, which
    would make that day twice the volume of the others."""
    landing = ws.landing(f"history-{rows}x{days}")
    _generate(landing, days, rows=rows, defects=0.0)
    return landing
