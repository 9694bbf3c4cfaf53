"""`lakehouse run` with and without the CRM database: the one end-to-end test of the crm source."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lakehouse_assets.cli import run_cmd
from lakehouse_assets.cli.main import main
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets_tests.crm.reference import pipeline
from lakehouse_assets_tests.pipeline import DAY2

DAY = DAY2  # a day of the reference lakehouse (pipeline.py)
MONTH = date(DAY.year, DAY.month, 1)
SKIPPED = "LAKEHOUSE_CRM_JDBC_URL is not set: the crm source is skipped (docs/sources.md)"


@pytest.fixture
def roots(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("LAKEHOUSE_CATALOG", "none")
    for name in ("LAKEHOUSE_MART_URL", "LAKEHOUSE_FX_API_URL", "LAKEHOUSE_KAFKA_BOOTSTRAP", "DAGSTER_HOME"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_without_the_url_lakehouse_run_says_so_in_one_line(roots, monkeypatch):
    monkeypatch.delenv("LAKEHOUSE_CRM_JDBC_URL", raising=False)
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    output: list[str] = []
    assert run_cmd.execute(DAY, DAY, echo=output.append) == 0
    assert [line for line in output if "CRM" in line] == [SKIPPED]


@pytest.mark.slow
def test_lakehouse_run_extracts_the_generated_crm_and_builds_its_tables(roots, postgres, reference, monkeypatch,
                                                                        capsys, spark):
    """Over a copy of the reference lakehouse (its silver/fx_rates prices the deals): the file
    sources' runs are left out of the plan (test_pipeline.py runs them), the crm runs are not."""
    reference.copy_to(roots / "lakehouse")
    monkeypatch.setattr(run_cmd, "checked_plan", lambda start, end: [])
    monkeypatch.setenv("LAKEHOUSE_CRM_JDBC_URL", postgres.jdbc_url)
    monkeypatch.setenv("LAKEHOUSE_CRM_USER", "postgres")
    connection = postgres.connect()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS crm CASCADE")
    connection.commit()
    connection.close()
    assert main(["generate", "--start", DAY.isoformat(), "--days", "1", "--rows-per-day", "200", "--defects",
                 "0.2", "--quiet", "--crm-url", postgres.jdbc_url]) == 0
    assert main(["run", "--start", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert SKIPPED not in out and "==> crm_extract" in out and f"==> crm_monthly [{MONTH}]" in out

    tables = DeltaTables(spark, str(roots / "lakehouse"))
    bronze = tables.read(["bronze", "crm_deals"]).count()
    silver = tables.read(["silver", "crm_deals"])
    quarantine = tables.read(["quarantine", "crm_deals"])
    assert bronze == silver.count() + quarantine.count() > 0  # one row per (id, updated_at): no duplicates
    assert {r["reason"] for r in quarantine.collect()} <= {"out_of_range", "unknown_currency", "bad_type",
                                                           "missing_value"}
    contacts = tables.read(["silver", "crm_contacts"]).collect()
    assert contacts and all(r["email"] is None or "***@" in r["email"] for r in contacts)  # masked
    marks = {r["source"]: r for r in tables.read(["audit", "source_watermarks"]).collect()}
    assert set(marks) == {"crm_contacts", "crm_deals"}
    assert str(marks["crm_deals"]["upper_bound"]) == f"{DAY + timedelta(days=1)} 00:00:00"

    deleted = {r["contact_id"] for r in contacts if r["is_deleted"]}
    current = {r["contact_id"] for r in tables.read(["silver", "dim_contact"]).where("is_current").collect()}
    assert not deleted & current

    deals = [r.asDict() for r in silver.collect()]
    rates = [r.asDict() for r in tables.read(["silver", "fx_rates"]).collect()]
    mart = {(r["store_id"], r["stage"]): (r["deals_count"], r["amount_usd"], r["entered_in_month"])
            for r in tables.read(["gold", "sales_pipeline_monthly"]).collect()}
    assert mart == pipeline(deals, rates, MONTH) and mart
