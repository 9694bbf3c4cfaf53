"""Incremental extraction from a real PostgreSQL: overlap, de-duplication, watermark after commit,
full re-extract (SPEC §7 crm)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.crm import extract as extraction
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.settings_sections import CrmSettings
from lakehouse_assets.sources import CRM_DEALS
from lakehouse_assets.transforms import crm as crm_rows
from lakehouse_assets_tests.crm.conftest import commit_rows

# Spark's JDBC reads from a real PostgreSQL, several extractions a test: about 40 s in all.
pytestmark = pytest.mark.slow

SETTINGS = CrmSettings(overlap_minutes=60)
DAY2, DAY3 = datetime(2024, 3, 2), datetime(2024, 3, 3)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def deal(deal_id: str, stage: str, updated_at: str, store: str = "S001", amount: str | None = "100.00"):
    moment = at(updated_at)
    return ("crm.deals", {"deal_id": deal_id, "contact_id": "CT000001", "store_id": store, "stage": stage,
                          "amount": amount, "currency": "EUR", "expected_close_date": None,
                          "created_at": moment, "updated_at": moment, "is_deleted": False})


def contact(contact_id: str, updated_at: str):
    moment = at(updated_at)
    return ("crm.contacts", {"contact_id": contact_id, "customer_id": None, "first_name": "Ana",
                             "last_name": "Costa", "email": "ana@example.com", "phone": "+1-555-0101",
                             "lifecycle_stage": "lead", "owner_sales_person_id": "E0001", "created_at": moment,
                             "updated_at": moment, "is_deleted": False})


@pytest.fixture()
def tables(spark, tmp_path) -> DeltaTables:
    return DeltaTables(spark, str(tmp_path / "lakehouse"))


def run(spark, tables, crm_db, until, full=False):
    extracts, _ = extraction.extract(spark, tables, crm_db, SETTINGS, until, "test-run", full=full)
    return {e.source: e for e in extracts}


def bronze_deals(tables) -> list[tuple[str, str]]:
    return sorted((r["deal_id"], r["updated_at"]) for r in tables.read(["bronze", "crm_deals"]).collect())


def test_a_late_commit_inside_the_overlap_is_read_once_and_one_outside_waits_for_a_full_extract(
        spark, tables, crm_db, postgres):
    commit_rows(postgres, [contact("CT000001", "2024-03-01 08:00:00"), deal("D1", "open", "2024-03-01 10:00:00"),
                           deal("D2", "open", "2024-03-01 23:58:00"), deal("D4", "open", "2024-03-02 00:00:00")])
    first = run(spark, tables, crm_db, DAY2)  # up to the end of 2024-03-01: D4 waits for the next run
    assert (first["crm_deals"].rows_read, first["crm_deals"].rows_added) == (2, 2)
    assert extraction.current_marks(tables)["crm_deals"] == at("2024-03-01 23:58:00")

    # Committed after that extraction, with updated_at below its mark: two inside the 60-minute
    # overlap (a new deal, and D1 moving to won), one outside it; then a change of the next day.
    commit_rows(postgres, [deal("D3", "open", "2024-03-01 23:30:00"), deal("D1", "won", "2024-03-01 23:20:00"),
                           deal("D5", "open", "2024-03-01 12:00:00"), deal("D4", "won", "2024-03-02 09:00:00")])
    second = run(spark, tables, crm_db, DAY3)
    # Read from 22:58: D2 again (already in bronze), D3, D1's update and D4 (its 00:00 state was
    # overwritten in the CRM before any run could read it). D5 is older than the overlap.
    assert (second["crm_deals"].rows_read, second["crm_deals"].rows_added) == (4, 3)
    assert bronze_deals(tables) == [
        ("D1", "2024-03-01 10:00:00"), ("D1", "2024-03-01 23:20:00"), ("D2", "2024-03-01 23:58:00"),
        ("D3", "2024-03-01 23:30:00"), ("D4", "2024-03-02 09:00:00")]
    assert extraction.current_marks(tables)["crm_deals"] == at("2024-03-02 09:00:00")
    dates = {r[PARTITION_COLUMN].isoformat() for r in tables.read(["bronze", "crm_deals"]).collect()}
    assert dates == {"2024-03-01", "2024-03-02"}

    full = run(spark, tables, crm_db, DAY3, full=True)
    assert full["crm_deals"].lower is None and full["crm_deals"].rows_added == 1  # D5 only
    assert ("D5", "2024-03-01 12:00:00") in bronze_deals(tables)
    assert len(bronze_deals(tables)) == 6


def test_the_watermark_moves_only_after_bronze_is_committed(spark, tables, crm_db, postgres, monkeypatch):
    commit_rows(postgres, [deal("D1", "open", "2024-03-01 10:00:00"), contact("CT000001", "2024-03-01 09:00:00")])

    def crash(*args, **kwargs):
        raise RuntimeError("process killed between the bronze commits and the watermark")

    monkeypatch.setattr(extraction, "record_marks", crash)
    with pytest.raises(RuntimeError, match="killed"):
        run(spark, tables, crm_db, DAY2)
    assert bronze_deals(tables) == [("D1", "2024-03-01 10:00:00")]  # bronze committed ...
    assert extraction.current_marks(tables) == {}  # ... the mark did not move

    monkeypatch.undo()
    again = run(spark, tables, crm_db, DAY2)  # reads the same rows again: nothing doubled
    assert (again["crm_deals"].rows_read, again["crm_deals"].rows_added) == (1, 0)
    assert bronze_deals(tables) == [("D1", "2024-03-01 10:00:00")]
    assert extraction.current_marks(tables) == {"crm_deals": at("2024-03-01 10:00:00"),
                                                "crm_contacts": at("2024-03-01 09:00:00")}


def _silver_deals(spark, tables) -> list[tuple]:
    classified = crm_rows.classify(tables.read(["bronze", "crm_deals"]), CRM_DEALS, ["USD", "EUR"])
    silver = crm_rows.silver_rows(classified, CRM_DEALS).drop(*crm_rows.SILVER_LINEAGE)
    return sorted(tuple(r) for r in silver.orderBy(F.col("deal_id"), F.col("updated_at")).collect())


def test_a_full_re_extract_gives_the_same_silver(spark, tables, crm_db, postgres):
    commit_rows(postgres, [deal("D1", "open", "2024-03-01 10:00:00"), deal("D2", "open", "2024-03-01 23:58:00")])
    run(spark, tables, crm_db, DAY2)
    commit_rows(postgres, [deal("D1", "lost", "2024-03-01 23:40:00"), deal("D3", "won", "2024-03-02 11:00:00")])
    run(spark, tables, crm_db, DAY3)
    before = _silver_deals(spark, tables)
    assert len(before) == 4  # D1 twice: its first state was extracted before it changed

    full = run(spark, tables, crm_db, DAY3, full=True)
    assert (full["crm_deals"].rows_read, full["crm_deals"].rows_added) == (3, 0)
    assert _silver_deals(spark, tables) == before
    marks = tables.read(extraction.WATERMARKS).where("source = 'crm_deals'").first()
    assert (marks["mode"], marks["lower_bound"], marks["high_water_mark"]) == ("full", None,
                                                                            at("2024-03-02 11:00:00"))
