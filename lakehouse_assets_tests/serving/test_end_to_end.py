"""`lakehouse run` with LAKEHOUSE_MART_URL set: the touched month and lifetime value reach the database."""

from __future__ import annotations

import pytest

from lakehouse_assets.cli import run_cmd
from lakehouse_assets.cli.mart_cmd import export_plan
from lakehouse_assets.resources.mart_db import MART_URL_VAR
from lakehouse_assets.serving.tables import SERVED_MARTS
from lakehouse_assets_tests.pipeline import DAY1, DAY2, lakehouse_env
from lakehouse_assets_tests.serving.gold import gold_rows, served_rows

pytestmark = pytest.mark.slow


def test_lakehouse_run_exports_the_marts_equal_to_gold(spark, reference, tmp_path, mart_server, mart_db,
                                                      monkeypatch):
    """Over a copy of the reference lakehouse, whose gold is built: the file sources' runs are
    left out of the plan (test_pipeline.py runs them), so the run is the exports it plans."""
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    root = reference.copy_to(tmp_path / "lakehouse")
    with lakehouse_env(spark, reference.landing, root) as lake, pytest.MonkeyPatch.context() as env:
        for name, value in mart_server.env().items():
            env.setenv(name, value)
        assert lake.run(DAY1, DAY2) == 0
        assert [line for line in lake.output if line.startswith("==> ")] == [
            "==> serving_monthly_marts [2024-01-01..2024-02-01]", "==> serving_unpartitioned_marts"]
        for mart in SERVED_MARTS.values():
            gold = gold_rows(lake.table(f"gold/{mart.name}"), mart)
            assert gold, mart.name
            assert served_rows(mart_db, mart) == gold, mart.name
        assert any(line.startswith("serving/customer_monthly_sales") for line in lake.output)


def test_without_a_mart_url_the_exports_are_skipped_with_one_line(monkeypatch):
    monkeypatch.delenv(MART_URL_VAR, raising=False)
    lines: list[str] = []
    assert export_plan(DAY1, DAY1, lines.append) == []
    assert len(lines) == 1 and MART_URL_VAR in lines[0] and "not exported" in lines[0]
