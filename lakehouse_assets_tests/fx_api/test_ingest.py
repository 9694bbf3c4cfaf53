"""A landed api.jsonl takes the file sources' path: bronze reads it, silver holds the API's rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dagster import AssetKey, DagsterInstance

from lakehouse_assets.cli.main import main
from lakehouse_assets.generate.fx import fx_rows
from lakehouse_assets.run_plan import DAILY_JOB
from lakehouse_assets_tests.fx_api.servers import OPTIONS, fx_api, fx_env
from lakehouse_assets_tests.pipeline import lakehouse_env

DAY = date(2024, 3, 5)
FX_TABLES = [AssetKey([layer, "fx_rates"]) for layer in ("bronze", "silver", "quarantine")]


@pytest.mark.slow
def test_the_landed_rates_reach_silver(spark, tmp_path):
    with lakehouse_env(spark, tmp_path / "landing", tmp_path / "lakehouse") as lake:
        with fx_api(complete_day=DAY) as server, fx_env(server):
            assert main(["fetch-fx", "--start", DAY.isoformat()]) == 0
        from lakehouse_assets.definitions import defs

        result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
            instance=DagsterInstance.ephemeral(), partition_key=DAY.isoformat(), asset_selection=FX_TABLES)
        assert result.success
        bronze = lake.table("bronze/fx_rates").select("_source_file").distinct().collect()
        silver = {(r.rate_date, r.currency, r.usd_per_unit) for r in lake.table("silver/fx_rates").collect()}
        quarantined = lake.table("quarantine/fx_rates").count()
    assert [r[0].rsplit("/", 2)[-2:] for r in bronze] == [["date=2024-03-05", "api.jsonl"]]
    rows, _ = fx_rows(OPTIONS.seed, DAY, complete=True)
    assert silver == {(DAY, currency, Decimal(rate)) for _, currency, rate in rows}
    assert quarantined == 0
