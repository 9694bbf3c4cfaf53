"""Checks selected without their table fail the run with one clear sentence.

Each check is measured on the rows its step is about to write (write-audit-publish),
so a run of checks alone ("Execute checks" in the UI, `AssetSelection.checks...`) has
nothing to measure. The steps that can be subset (ingest, dimensions, monthly marts)
fail before reading or writing anything and say how to re-check: materialize the
table. The single-table steps (fact, lifetime value) cannot be subset: Dagster
refuses such a job when it is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidDefinitionError,
    Definitions,
    define_asset_job,
)

from lakehouse_assets.checks.audit import checks_without_table
from lakehouse_assets_tests.pipeline import Reference, lakehouse_env

ORDERS, BRONZE_ORDERS = AssetKey(["silver", "orders"]), AssetKey(["bronze", "orders"])
SENTENCE = "Checks run with their table's write"


def test_the_reason_names_each_table_whose_checks_are_selected_alone():
    both = [AssetCheckKey(ORDERS, "not_null"), AssetCheckKey(ORDERS, "unique_key"),
            AssetCheckKey(AssetKey(["silver", "stores"]), "contract")]
    reason = checks_without_table(both, [AssetKey(["silver", "stores"])])
    assert reason is not None and reason.startswith(SENTENCE)
    assert "silver/orders" in reason and "silver/stores" not in reason and "materialize silver/orders" in reason
    assert checks_without_table(both, [ORDERS, AssetKey(["silver", "stores"])]) is None
    assert checks_without_table([], [ORDERS]) is None  # a table written without its checks


def run(selection, name: str):
    from lakehouse_assets.definitions import defs

    job = define_asset_job(name, selection)
    return Definitions.merge(defs, Definitions(jobs=[job])).resolve_job_def(name).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False)


def events(result, kind: DagsterEventType) -> list:
    return [e for e in result.all_events if e.event_type == kind]


def files_under(root: str) -> list[str]:
    return sorted(str(p) for p in Path(root).rglob("*"))


@pytest.fixture(scope="module")
def tiny(reference: Reference, spark):
    """A materialized lakehouse (the suite's reference): every table the checks could be
    measured on is there, and none may change."""
    with lakehouse_env(spark, reference.landing, reference.root) as lake:
        yield lake


@pytest.mark.slow
@pytest.mark.parametrize("tables, step", [
    ([ORDERS], "ingest"),
    ([AssetKey(["audit", "ingested_files"])], "ingest"),
    ([AssetKey(["silver", "dim_customer"]), AssetKey(["silver", "dim_date"])], "dimensions"),
])
def test_checks_alone_fail_their_step_with_the_way_to_re_check(tiny, tables, step):
    before = files_under(tiny.lakehouse_root)
    result = run(AssetSelection.checks_for_assets(*tables), "checks_alone")
    assert not result.success
    [failure] = events(result, DagsterEventType.STEP_FAILURE)
    assert failure.step_key == step
    reason = failure.event_specific_data.user_failure_data.description
    assert reason.startswith(SENTENCE) and "to re-check, materialize" in reason
    assert all("/".join(t.path) in reason for t in tables)
    assert not events(result, DagsterEventType.STEP_UP_FOR_RETRY)  # a retry would fail the same way
    assert not events(result, DagsterEventType.ASSET_CHECK_EVALUATION)
    assert not events(result, DagsterEventType.ASSET_MATERIALIZATION)
    assert files_under(tiny.lakehouse_root) == before


@pytest.mark.slow
def test_monthly_checks_alone_fail_before_anything_is_read_or_written(tiny):
    """The marts' checks without their tables and without a month: the run fails before
    the step starts (Dagster cannot map no month to the days it reads; the message is
    Dagster's own, not the sentence above), and nothing is written."""
    before = files_under(tiny.lakehouse_root)
    result = run(AssetSelection.checks_for_assets(AssetKey(["gold", "customer_monthly_sales"])), "checks_alone")
    assert not result.success
    assert not events(result, DagsterEventType.ASSET_CHECK_EVALUATION)
    assert not events(result, DagsterEventType.ASSET_MATERIALIZATION)
    assert files_under(tiny.lakehouse_root) == before


@pytest.mark.slow
def test_checks_of_a_table_not_written_stop_the_step_before_it_writes_another(tiny):
    """bronze/orders with silver/orders's checks: bronze is not written either, rather than the checks skipped."""
    before = files_under(tiny.lakehouse_root)
    result = run(AssetSelection.assets(BRONZE_ORDERS) | AssetSelection.checks_for_assets(ORDERS), "mixed")
    assert not result.success
    [failure] = events(result, DagsterEventType.STEP_FAILURE)
    assert "silver/orders" in failure.event_specific_data.user_failure_data.description
    assert "bronze/orders" not in failure.event_specific_data.user_failure_data.description
    assert not events(result, DagsterEventType.ASSET_MATERIALIZATION)
    assert files_under(tiny.lakehouse_root) == before


@pytest.mark.slow
def test_the_single_table_steps_refuse_checks_alone_when_the_job_is_built():
    with pytest.raises(DagsterInvalidDefinitionError):
        run(AssetSelection.checks_for_assets(AssetKey(["gold", "fact_sales"])), "fact_checks_alone")
