"""The shell commands a user and CI type: `dagster asset materialize` and `lakehouse run`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from lakehouse_assets.generate import generate
from lakehouse_assets.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow  # the shell commands: a new Python process (and JVM) each
BIN = Path(sys.executable).parent
DAY = date(2024, 2, 29)


def run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def roots(tmp_path):
    generate(DAY, 1, str(tmp_path / "landing"), rows_per_day=200, seed=3, defects=0.1, progress=False)
    return {"LAKEHOUSE_ENV": "test", "LAKEHOUSE_LANDING_ROOT": str(tmp_path / "landing"),
            "LAKEHOUSE_ROOT": str(tmp_path / "lakehouse")}


def test_dagster_asset_materialize_from_the_shell(roots, spark):
    result = run([str(BIN / "dagster"), "asset", "materialize", "-m", "lakehouse_assets.definitions",
                  "--select", "bronze/orders,silver/orders,quarantine/orders", "--partition", DAY.isoformat()],
                 roots)
    assert result.returncode == 0, result.stderr[-3000:]
    silver = spark.read.format("delta").load(f"{roots['LAKEHOUSE_ROOT']}/silver/orders")
    quarantine = spark.read.format("delta").load(f"{roots['LAKEHOUSE_ROOT']}/quarantine/orders")
    bronze = spark.read.format("delta").load(f"{roots['LAKEHOUSE_ROOT']}/bronze/orders")
    assert silver.count() > 0 and quarantine.count() > 0
    assert bronze.count() >= silver.count() + quarantine.count()


@pytest.mark.parametrize("args, message", [
    (["--start", "2024-02-30"], "is not a date"),
    (["--start", "2024-03-02", "--end", "2024-03-01"], "is before --start"),
    (["--start", "2014-12-31"], "before the first partition"),
    (["--start", "2999-01-01"], "in the future"),
])
def test_lakehouse_run_rejects_bad_ranges(args, message):
    result = run([str(BIN / "lakehouse"), "run", *args], {}, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_environment_is_one_line(tmp_path):
    result = run([str(BIN / "lakehouse"), "run", "--start", "2024-03-01"], {"LAKEHOUSE_ENV": "nope"}, timeout=120)
    assert result.returncode == 1
    assert "LAKEHOUSE_ENV='nope'" in result.stderr and "Traceback" not in result.stderr


def test_unset_masking_keys_are_named_in_one_paragraph(roots):
    """The PII resource's keys come through `EnvVar`: unset, Dagster refuses the run's config
    before any step; the CLI names the variables instead of printing Dagster's traceback."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_PII_")}, **roots}
    result = subprocess.run([str(BIN / "lakehouse"), "run", "--start", DAY.isoformat()], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"lakehouse run: daily_assets [{DAY}] did not start: "
                           "LAKEHOUSE_PII_HMAC_KEY, LAKEHOUSE_PII_SALT are not set"), result.stderr[-2000:]
    assert "set -a; . .cache/pii-keys.env; set +a" in last
    assert "Traceback" not in result.stderr
    assert not Path(roots["LAKEHOUSE_ROOT"]).exists()


def test_failed_run_exits_non_zero_with_a_paragraph(roots, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the lakehouse should be")
    result = run([str(BIN / "lakehouse"), "run", "--start", DAY.isoformat()],
                 {**roots, "LAKEHOUSE_ROOT": str(blocked)})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("lakehouse run failed in daily_assets [2024-02-29]")
    assert "step ingest" in last and "re-run of the same range is safe" in last
