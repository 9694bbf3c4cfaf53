"""Bronze materialized without silver (its figures observed while it is written, no cache)
gives the reference's bronze tables, file audit and landing-check figures."""

from __future__ import annotations

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance

from lakehouse_assets.ingest import landing_check
from lakehouse_assets.ingest.assets import INVENTORY
from lakehouse_assets.run_plan import DAILY_JOB, range_tags
from lakehouse_assets.sources import SOURCES
from lakehouse_assets_tests.pipeline import DAY1, DAY2, Reference, lakehouse_env

pytestmark = pytest.mark.slow


def test_bronze_alone_matches_the_validating_run(reference: Reference, spark, tmp_path):
    from lakehouse_assets.definitions import defs

    bronze = [AssetKey(["bronze", name]) for name in SOURCES]
    with lakehouse_env(spark, reference.landing, tmp_path / "alone") as alone:
        result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
            instance=DagsterInstance.ephemeral(), tags=range_tags(DAY1.isoformat(), DAY2.isoformat()),
            asset_selection=[*bronze, INVENTORY.key], raise_on_error=False)
        assert not [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
        written = {e.asset_key for e in result.all_events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}
        assert written == {*bronze, INVENTORY.key}
        for key in [*bronze, INVENTORY.key]:
            name = "/".join(key.path)
            assert alone.snapshot(name) == reference.snapshot(name), name

        checks = {e.event_specific_data.asset_key: e.event_specific_data for e in result.all_events
                  if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
                  and e.event_specific_data.check_name == landing_check.CHECK_NAME}
        assert set(checks) == set(bronze)
        malformed = {key: alone.table("/".join(key.path)).where("_raw_line IS NOT NULL").count() for key in bronze}
        assert {key: checks[key].metadata["malformed_lines"].value for key in bronze} == malformed
        assert sum(malformed.values()) > 0, "the reference's landing data has malformed lines"
