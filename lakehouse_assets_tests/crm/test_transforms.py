"""The crm transforms on tiny hand-made frames: quarantine reasons, dim_contact's deletions,
gold/sales_pipeline_monthly against an independent reading of SPEC §7 (reference.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lakehouse_assets.sources import CRM_CONTACTS, CRM_DEALS
from lakehouse_assets.transforms import crm as crm_rows
from lakehouse_assets.transforms.sales_pipeline import months_frame, sales_pipeline_monthly
from lakehouse_assets_tests.crm.reference import pipeline

CURRENCIES = ["USD", "EUR", "GBP"]
LINEAGE = (datetime(2024, 3, 2, 1), "run-1", "incremental", date(2024, 3, 1))
BRONZE_DEALS = ", ".join(f"{c} string" for c in CRM_DEALS.columns) + \
    ", _extracted_at timestamp, _run_id string, _extract_mode string, _partition_date date"


def bronze_deal(deal_id, stage="open", currency="EUR", amount="10.00", store="S001",
                updated_at="2024-03-01 10:00:00", deleted="false"):
    return (deal_id, "CT1", store, stage, amount, currency, None, "2024-03-01 09:00:00", updated_at, deleted,
            *LINEAGE)


def test_rows_the_database_accepted_but_spec_does_not_are_quarantined_with_their_reason(spark):
    rows = [bronze_deal("ok"), bronze_deal("stage", stage="negotiation"), bronze_deal("cur", currency="XYZ"),
            bronze_deal("lower", currency="eur"), bronze_deal("store", store=None),
            bronze_deal("neg", amount="-5.00"), bronze_deal("flag", deleted="maybe"),
            bronze_deal("nullamount", amount=None, currency=None)]
    classified = crm_rows.classify(spark.createDataFrame(rows, BRONZE_DEALS), CRM_DEALS, CURRENCIES)
    reasons = {r["deal_id"]: (r["reason"], r["reason_detail"])
               for r in crm_rows.quarantine_rows(classified, CRM_DEALS).collect()}
    assert reasons == {
        "stage": ("out_of_range", "stage"), "cur": ("unknown_currency", "currency"),
        "lower": ("bad_type", "currency"), "store": ("missing_value", "store_id"),
        "neg": ("out_of_range", "amount"), "flag": ("bad_type", "is_deleted"),
    }
    silver = {r["deal_id"]: r for r in crm_rows.silver_rows(classified, CRM_DEALS).collect()}
    assert set(silver) == {"ok", "nullamount"}
    assert silver["ok"]["amount"] == Decimal("10.00") and silver["ok"]["is_deleted"] is False
    counts = crm_rows.accounting(classified)
    assert (counts["bronze"], counts["silver"], counts["quarantine"], counts["duplicate"]) == (8, 2, 6, 0)


def test_an_unknown_lifecycle_stage_is_out_of_range(spark):
    schema = ", ".join(f"{c} string" for c in CRM_CONTACTS.columns) + \
        ", _extracted_at timestamp, _run_id string, _extract_mode string, _partition_date date"
    row = ("CT1", None, "A", "B", "a@b.c", "1234", "vip", "E1", "2024-03-01 09:00:00", "2024-03-01 09:00:00",
           "false", *LINEAGE)
    classified = crm_rows.classify(spark.createDataFrame([row], schema), CRM_CONTACTS, CURRENCIES)
    assert [(r["reason"], r["reason_detail"]) for r in crm_rows.quarantine_rows(classified, CRM_CONTACTS).collect()] \
        == [("out_of_range", "lifecycle_stage")]


CONTACT_SCHEMA = ("contact_id string, customer_id string, first_name string, last_name string, email string, "
                  "phone string, pii_fingerprint string, lifecycle_stage string, owner_sales_person_id string, "
                  "created_at timestamp, updated_at timestamp, is_deleted boolean")


def contact(stage, updated_at, deleted=False, contact_id="CT1"):
    created = datetime(2024, 3, 1, 8)
    return (contact_id, None, "tok", "hash", "a***@b.c", "**34", "f" * 64, stage, "E1", created,
            datetime.fromisoformat(updated_at), deleted)


def test_a_deletion_closes_the_current_version_and_starts_none(spark):
    records = spark.createDataFrame([
        contact("lead", "2024-03-01 09:00:00"), contact("lead", "2024-03-01 12:00:00"),  # no change
        contact("customer", "2024-03-02 10:00:00"), contact("customer", "2024-03-03 10:00:00", deleted=True),
        contact("lead", "2024-03-01 09:00:00", contact_id="CT2"),
    ], CONTACT_SCHEMA)
    versions = sorted((r["contact_id"], r["lifecycle_stage"], r["valid_from"], r["valid_to"], r["is_current"])
                      for r in crm_rows.dim_contact(records).collect())
    assert versions == [
        ("CT1", "customer", datetime(2024, 3, 2, 10), datetime(2024, 3, 3, 10), False),
        ("CT1", "lead", datetime(2024, 3, 1, 9), datetime(2024, 3, 2, 10), False),
        ("CT2", "lead", datetime(2024, 3, 1, 9), None, True),
    ]


DEAL_SCHEMA = ("deal_id string, store_id string, stage string, amount decimal(14,2), currency string, "
               "updated_at timestamp, is_deleted boolean")


def test_sales_pipeline_monthly_matches_an_independent_reading_of_the_spec(spark):
    d = lambda *v: dict(zip(("deal_id", "store_id", "stage", "amount", "currency", "updated_at", "is_deleted"),  # noqa: E731
                            (v[0], v[1], v[2], None if v[3] is None else Decimal(v[3]), v[4],
                             datetime.fromisoformat(v[5]), v[6])))
    deals = [
        d("A", "S1", "open", "100.00", "EUR", "2024-01-10 10:00:00", False),
        d("A", "S1", "won", "100.00", "EUR", "2024-02-03 10:00:00", False),       # open -> won in February
        d("B", "S1", "open", "50.55", "GBP", "2024-01-31 23:59:59", False),       # January's last second
        d("B", "S1", "open", "50.55", "GBP", "2024-02-10 00:00:00", True),        # deleted: leaves the count
        d("C", "S2", "open", None, "EUR", "2024-01-15 08:00:00", False),          # no amount
        d("D", "S2", "open", "10.00", "INR", "2024-02-28 12:00:00", False),       # no INR rate
        d("E", "S1", "lost", "7.00", "USD", "2024-02-01 00:00:00", False),        # created lost
        d("F", "S1", "open", "3.33", "EUR", "2024-02-05 00:00:00", False),
        d("F", "S1", "won", "3.33", "EUR", "2024-02-06 00:00:00", False),         # open and won in one month
    ]
    rates = [
        {"rate_date": date(2024, 1, 2), "currency": "EUR", "usd_per_unit": Decimal("1.10000000")},
        {"rate_date": date(2024, 1, 31), "currency": "EUR", "usd_per_unit": Decimal("1.08333333")},
        {"rate_date": date(2024, 2, 29), "currency": "EUR", "usd_per_unit": Decimal("1.05000000")},
        {"rate_date": date(2024, 3, 1), "currency": "EUR", "usd_per_unit": Decimal("9.99999999")},  # March's only
        {"rate_date": date(2024, 1, 5), "currency": "GBP", "usd_per_unit": Decimal("1.26500000")},
    ]
    months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    deals_frame = spark.createDataFrame([tuple(r.values()) for r in deals], DEAL_SCHEMA)
    rates_frame = spark.createDataFrame([tuple(r.values()) for r in rates],
                                        "rate_date date, currency string, usd_per_unit decimal(18,8)")
    got = sales_pipeline_monthly(deals_frame, rates_frame, months_frame(spark, months)).collect()
    actual = {(r["month"], r["store_id"], r["stage"]): (r["deals_count"], r["amount_usd"], r["entered_in_month"])
              for r in got}
    expected = {(m, *group): values for m in months for group, values in pipeline(deals, rates, m).items()}
    assert actual == expected
    # A few values by hand, so the reference itself is pinned down.
    assert actual[(date(2024, 1, 1), "S1", "open")] == (2, Decimal("172.28"), 2)  # 108.33 + 63.95
    assert actual[(date(2024, 2, 1), "S1", "open")] == (0, None, 1)  # B deleted, F moved on to won
    assert actual[(date(2024, 2, 1), "S1", "won")] == (2, Decimal("108.50"), 2)  # 105.00 + 3.50
    assert actual[(date(2024, 2, 1), "S2", "open")] == (2, None, 1)
    assert actual[(date(2024, 3, 1), "S1", "won")] == (2, Decimal("1033.30"), 0)  # at March's rate


def test_the_watermark_check_warns_when_a_mark_trails_the_bound(spark):
    from dagster import AssetCheckSeverity

    from lakehouse_assets.crm.checks import watermark_result

    marks = spark.createDataFrame([("crm_contacts", datetime(2024, 3, 5, 23, 58)), ("crm_deals", datetime(2024, 3, 2))],
                                  "source string, high_water_mark timestamp")
    result = watermark_result(marks, datetime(2024, 3, 6), max_lag_hours=48)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert "crm_contacts 0.0 h, crm_deals 96.0 h" in result.description
    assert watermark_result(marks.where("source = 'crm_contacts'"), datetime(2024, 3, 6), 48).passed
