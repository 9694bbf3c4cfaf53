"""`lakehouse run` with LAKEHOUSE_MART_URL set: the touched month and lifetime value reach the database."""

from __future__ import annotations

from datetime import date

import pytest

from lakehouse_assets.cli.mart_cmd import export_plan
from lakehouse_assets.generate import generate
from lakehouse_assets.resources.mart_db import MART_URL_VAR
from lakehouse_assets.serving.tables import SERVED_MARTS
from lakehouse_assets_tests.pipeline import lakehouse_env
from lakehouse_assets_tests.serving.gold import gold_rows, served_rows

pytestmark = pytest.mark.slow
DAY = date(2024, 2, 29)


def test_lakehouse_run_exports_the_marts_equal_to_gold(spark, tmp_path, mart_server, mart_db):
    generate(DAY, 1, str(tmp_path / "landing"), rows_per_day=150, seed=11, defects=0.05, progress=False)
    with lakehouse_env(spark, tmp_path / "landing", tmp_path / "lakehouse") as lake, \
            pytest.MonkeyPatch.context() as env:
        for name, value in mart_server.env().items():
            env.setenv(name, value)
        assert lake.run(DAY) == 0
        for mart in SERVED_MARTS.values():
            gold = gold_rows(lake.table(f"gold/{mart.name}"), mart)
            assert gold, mart.name
            assert served_rows(mart_db, mart) == gold, mart.name
        assert any(line.startswith("serving/customer_monthly_sales") for line in lake.output)


def test_without_a_mart_url_the_exports_are_skipped_with_one_line(monkeypatch):
    monkeypatch.delenv(MART_URL_VAR, raising=False)
    lines: list[str] = []
    assert export_plan(DAY, DAY, lines.append) == []
    assert len(lines) == 1 and MART_URL_VAR in lines[0] and "not exported" in lines[0]
