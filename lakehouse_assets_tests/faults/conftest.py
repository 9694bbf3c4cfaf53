"""One clean reference lakehouse shared by the fault tests: two tiny generated days, one
`lakehouse run`. Crashed, concurrent and re-delivered runs are compared with it."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakehouse_assets.generate import generate
from lakehouse_assets_tests.pipeline import Lakehouse, lakehouse_env

DAY1, DAY2 = date(2024, 1, 30), date(2024, 1, 31)
ROWS_PER_DAY = 40
SEED = 11
# Tables whose rows depend only on the landed data, not on which run wrote them
# (audit/dq_report records check outcomes and times, so it is left out).
RUN_INDEPENDENT_LAYERS = ("bronze", "quarantine", "silver", "gold")


def soak_trials(default: int) -> int:
    """`LAKEHOUSE_SOAK_TRIALS` scales the crash trials up for `make soak`."""
    return max(int(os.environ.get("LAKEHOUSE_SOAK_TRIALS", default)), 1)


def soak_seed(default: int = 20240131) -> int:
    return int(os.environ.get("LAKEHOUSE_SOAK_SEED", default))


@dataclass
class Reference:
    """The clean lakehouse: where it is, and each table's business content (computed on demand)."""

    landing: Path
    root: Path
    spark: SparkSession
    _snapshots: dict[str, list[tuple]] = field(default_factory=dict)

    def tables(self) -> list[str]:
        return sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in self.root.glob("*/*/_delta_log")
                      if p.parent.parent.name in RUN_INDEPENDENT_LAYERS or p.parent.name == "ingested_files")

    def snapshot(self, key: str) -> list[tuple]:
        if key not in self._snapshots:
            self._snapshots[key] = snapshot(self.spark, self.root, key)
        return self._snapshots[key]

    def copy_to(self, target: Path) -> Path:
        """A copy of the clean lakehouse (Delta logs hold relative paths, so a copy is a table)."""
        shutil.copytree(self.root, target)
        return target


def snapshot(spark: SparkSession, root: Path, key: str) -> list[tuple]:
    return Lakehouse("", str(root), spark).snapshot(key)


@pytest.fixture(scope="session")
def reference(spark, tmp_path_factory) -> Reference:
    base = tmp_path_factory.mktemp("reference")
    landing = base / "landing"
    generate(DAY1, 2, str(landing), rows_per_day=ROWS_PER_DAY, seed=SEED, defects=0.1, progress=False)
    with lakehouse_env(spark, landing, base / "lakehouse") as lake:
        assert lake.run(DAY1, DAY2) == 0, "the clean reference run failed"
    return Reference(landing, base / "lakehouse", spark)
