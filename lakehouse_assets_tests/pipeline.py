"""Run the real asset graph into a temporary lakehouse, the way `lakehouse run` does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from lakehouse_assets.cli.run_cmd import execute


@dataclass
class Lakehouse:
    landing_root: str
    lakehouse_root: str
    spark: SparkSession

    def run(self, start: date, end: date | None = None) -> int:
        """`lakehouse run`; its printed summary is kept in `self.output`."""
        self.output: list[str] = []
        return execute(start, end or start, echo=self.output.append)

    def run_daily(self, day: date) -> None:
        """Only the daily job, for one day (as a schedule tick or a single backfill partition)."""
        from dagster import DagsterInstance

        from lakehouse_assets.definitions import defs
        from lakehouse_assets.run_plan import DAILY_JOB

        result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
            instance=DagsterInstance.ephemeral(), partition_key=day.isoformat())
        assert result.success

    def table(self, key: str) -> DataFrame:
        path = f"{self.lakehouse_root}/{key}".replace("s3://", "s3a://")
        return self.spark.read.format("delta").load(path)

    def snapshot(self, key: str, exclude: frozenset[str] = frozenset()) -> list[tuple]:
        """The table's business content: every non-lineage column but `exclude`, sorted."""
        frame = self.table(key)
        skipped = {"run_id", "ingested_at", *exclude}
        columns = sorted(c for c in frame.columns if not c.startswith("_") and c not in skipped)
        rows = [tuple(r) for r in frame.select(*columns).collect()]
        return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


@contextlib.contextmanager
def lakehouse_env(spark: SparkSession, landing_root: str | Path, lakehouse_root: str | Path) -> Iterator[Lakehouse]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAKEHOUSE_ENV", "test")
        patch.setenv("LAKEHOUSE_LANDING_ROOT", str(landing_root))
        patch.setenv("LAKEHOUSE_ROOT", str(lakehouse_root))
        patch.delenv("DAGSTER_HOME", raising=False)
        yield Lakehouse(str(landing_root), str(lakehouse_root), spark)
