"""`lakehouse generate --crm-url`'s rows, in plain Python: deterministic, with late commits inside
the default overlap, soft deletes and the defect kinds of SPEC §3 that apply."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lakehouse_assets.generate.crm import crm_days
from lakehouse_assets.settings_sections import CrmSettings

START = date(2024, 3, 4)


def test_the_same_arguments_give_the_same_rows_and_another_seed_others():
    assert crm_days(7, START, 3, 0.1) == crm_days(7, START, 3, 0.1)
    assert crm_days(7, START, 3, 0.1) != crm_days(8, START, 3, 0.1)


def test_late_rows_fall_below_the_days_mark_within_the_default_overlap():
    overlap = timedelta(minutes=CrmSettings().overlap_minutes)
    for day in crm_days(42, START, 3):
        mark = max(row["updated_at"] for _, row in day.rows)
        assert mark == datetime.combine(day.day, datetime.min.time()) + timedelta(hours=23, minutes=58)
        assert len(day.late) == 2
        for table, row in day.late:
            assert table == "crm.deals" and mark - overlap <= row["updated_at"] < mark
            # the late row is the deal's newest state: nothing committed before it is newer
            earlier = [r for t, r in day.rows if t == table and r["deal_id"] == row["deal_id"]]
            assert all(r["updated_at"] < row["updated_at"] for r in earlier)


def test_rows_carry_soft_deletes_and_the_defects_that_apply():
    rows = [row for day in crm_days(42, START, 5, defects=0.2) for _, row in day.rows]
    assert any(row["is_deleted"] for row in rows)
    assert {row.get("stage") for row in rows} >= {"open", "won", "lost", "negotiation"}
    assert "vip" in {row.get("lifecycle_stage") for row in rows}
    currencies = {row.get("currency") for row in rows}
    assert "XYZ" in currencies and any(c and c.islower() for c in currencies)
    assert any("deal_id" in row and row["store_id"] is None for row in rows)
    clean = [row for day in crm_days(42, START, 5) for _, row in day.rows]
    assert {row.get("stage") for row in clean} <= {"open", "won", "lost", None}
