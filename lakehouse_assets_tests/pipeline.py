"""Run the real asset graph into a temporary lakehouse, the way `lakehouse run` does,
and the suite's one reference lakehouse: two generated days across a month end, one
`lakehouse run`, built once per session (the `reference` fixture in conftest.py) and
read by the pipeline, check and fault tests. A test that needs to change it works on
`Reference.copy_to` (Delta logs hold relative paths, so a copied folder is a table)."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from lakehouse_assets.cli.run_cmd import execute
from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.generate import generate
from lakehouse_assets.io_managers.delta_rs import open_delta_rs
from lakehouse_assets.resources.landing import is_s3

# The reference lakehouse's landing data: two days across a month end (so both monthly
# marts and the lifetime table have two months), every defect kind at 10%.
DAY1, DAY2 = date(2024, 1, 31), date(2024, 2, 1)
ROWS_PER_DAY = 200
SEED = 7
# Tables whose rows depend only on the landed data, not on which run wrote them
# (audit/dq_report records check outcomes and times, so it is left out).
RUN_INDEPENDENT_LAYERS = ("bronze", "quarantine", "silver", "gold")
# The tables the whole-graph tests compare with the reference, and the dimensions among them.
ALL_TABLES = (
    "bronze/orders", "silver/orders", "quarantine/orders", "silver/fx_rates", "silver/dim_customer",
    "silver/dim_product", "silver/dim_store", "silver/dim_sales_person", "silver/dim_date",
    "gold/fact_sales", "gold/customer_monthly_sales", "gold/sales_team_monthly",
    "gold/category_monthly_revenue", "gold/customer_lifetime_value", "audit/ingested_files",
)
DIMENSION_TABLES = tuple(f"silver/{name}" for name in DIMENSIONS)


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

    def snapshot(self, key: str, exclude: frozenset[str] = frozenset(), with_spark: bool = False) -> list[tuple]:
        """The table's business content: every non-lineage column but `exclude`, sorted.

        A local table is read with delta-rs (tens of milliseconds, no Spark job; a second
        Delta reader besides Spark), one on S3 (or `with_spark`) with Spark. Both give the
        same Python values: delta-rs's UTC timestamps are made naive, as the UTC Spark
        session returns them (test_pipeline.py checks the two agree)."""
        skipped = {"run_id", "ingested_at", *exclude}
        path = f"{self.lakehouse_root}/{key}"
        if with_spark or is_s3(path):
            frame = self.table(key)
            columns = sorted(c for c in frame.columns if not c.startswith("_") and c not in skipped)
            rows = [tuple(r) for r in frame.select(*columns).collect()]
        else:
            table = open_delta_rs(path)
            names = [f.name for f in table.schema().fields]
            columns = sorted(c for c in names if not c.startswith("_") and c not in skipped)
            data = table.to_pyarrow_table(columns=columns)
            rows = [tuple(map(_as_spark_value, row))
                    for row in zip(*(data.column(c).to_pylist() for c in columns))]
        return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def _as_spark_value(value):
    """A timestamp as a UTC Spark session collects it: naive, in UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


@contextlib.contextmanager
def lakehouse_env(spark: SparkSession, landing_root: str | Path, lakehouse_root: str | Path) -> Iterator[Lakehouse]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAKEHOUSE_ENV", "test")
        patch.setenv("LAKEHOUSE_LANDING_ROOT", str(landing_root))
        patch.setenv("LAKEHOUSE_ROOT", str(lakehouse_root))
        patch.delenv("DAGSTER_HOME", raising=False)
        yield Lakehouse(str(landing_root), str(lakehouse_root), spark)


@dataclass
class Reference:
    """The clean lakehouse: where it is, what its run printed, and each table's business
    content (computed on demand, once)."""

    landing: Path
    root: Path
    spark: SparkSession
    output: list[str]
    _snapshots: dict[str, list[tuple]] = field(default_factory=dict)

    def lakehouse(self) -> Lakehouse:
        return Lakehouse(str(self.landing), str(self.root), self.spark)

    def tables(self) -> list[str]:
        return sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in self.root.glob("*/*/_delta_log")
                      if p.parent.parent.name in RUN_INDEPENDENT_LAYERS or p.parent.name == "ingested_files")

    def snapshot(self, key: str) -> list[tuple]:
        if key not in self._snapshots:
            self._snapshots[key] = snapshot(self.spark, self.root, key)
        return self._snapshots[key]

    def copy_to(self, target: Path) -> Path:
        """A copy of the clean lakehouse to change without touching the reference."""
        shutil.copytree(self.root, target)
        return target


def snapshot(spark: SparkSession, root: Path, key: str) -> list[tuple]:
    return Lakehouse("", str(root), spark).snapshot(key)


def build_reference(spark: SparkSession, base: Path) -> Reference:
    """Generate the two reference days under `base` and run them through the whole graph."""
    landing = base / "landing"
    generate(DAY1, 2, str(landing), rows_per_day=ROWS_PER_DAY, seed=SEED, defects=0.1, progress=False)
    with lakehouse_env(spark, landing, base / "lakehouse") as lake:
        assert lake.run(DAY1, DAY2) == 0, "the reference run failed:\n" + "\n".join(lake.output)
        return Reference(landing, base / "lakehouse", spark, lake.output)


def shared_reference(spark: SparkSession, base: Path) -> Reference:
    """The reference under `base`, built there by the first process to ask for it (a file lock
    keeps the others waiting) and read by every later one."""
    from filelock import FileLock

    built = base / "built.json"
    with FileLock(f"{base}.lock"):
        if not built.exists():
            if base.exists():
                shutil.rmtree(base)  # a build that failed halfway in another process
            reference = build_reference(spark, base)
            built.write_text(json.dumps(reference.output))
            return reference
    return Reference(base / "landing", base / "lakehouse", spark, json.loads(built.read_text()))
