"""gold/product_funnel_daily and gold/customer_engagement_monthly on small hand-made events,
against the same figures computed in plain Python from SPEC §7's wording. No broker."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pyspark.sql import types as T

from lakehouse_assets.contracts.events import silver_events_contract
from lakehouse_assets.transforms.event_marts import customer_engagement_monthly, product_funnel_daily
from lakehouse_assets_tests.events import reference

# (event_id, day, session, customer, event_type, product)
EVENTS = [
    ("a1", "2024-03-01", "s1", "C1", "page_view", None),
    ("a2", "2024-03-01", "s1", "C1", "product_view", "P1"),
    ("a3", "2024-03-01", "s1", "C1", "product_view", "P1"),
    ("a4", "2024-03-01", "s1", "C1", "add_to_cart", "P1"),
    ("a5", "2024-03-01", "s1", "C1", "purchase", "P1"),
    ("a6", "2024-03-01", "s2", None, "product_view", "P1"),       # anonymous: in the funnel, not in engagement
    ("a7", "2024-03-01", "s3", "C2", "product_view", "P2"),
    ("a8", "2024-03-01", "s3", "C2", "product_view", "P2"),
    ("a9", "2024-03-01", "s3", "C2", "product_view", "P2"),
    ("b1", "2024-03-01", "s3", "C2", "purchase", "P2"),
    ("b2", "2024-03-01", "s4", "C3", "add_to_cart", "P3"),         # no views: rate null
    ("b3", "2024-03-01", "s4", "C3", "remove_from_cart", "P3"),
    ("b4", "2024-03-02", "s5", "C1", "product_view", "P1"),
    ("b5", "2024-03-02", "s5", "C1", "checkout", None),
    ("b6", "2024-03-02", "s5", "C1", "purchase", None),             # names no product: in engagement only
    ("b7", "2024-04-01", "s6", "C1", "page_view", None),
]
# (order_date, customer, net_amount_usd)
FACT = [("2024-03-01", "C1", "10.50"), ("2024-03-02", "C1", "4.25"), ("2024-03-05", "C2", None),
        ("2024-03-09", "C9", "99.00"), ("2024-04-01", "C1", "1.00")]


def silver_frame(spark):
    rows = [{"event_id": e, "event_ts": datetime.fromisoformat(f"{d}T12:00:00"), "event_date": date.fromisoformat(d),
             "session_id": s, "customer_id": c, "event_type": t, "product_id": p,
             "order_id": "O1" if t == "purchase" else None, "properties": "{}", "_topic": "retail.events",
             "_partition": 0, "_offset": n, "_kafka_ts": datetime(2024, 3, 1), "_batch_id": 0,
             "_ingested_at": datetime(2024, 3, 1)}
            for n, (e, d, s, c, t, p) in enumerate(EVENTS)]
    schema = silver_events_contract()
    struct = T.StructType([T.StructField(name, column.dtype.type, True) for name, column in schema.columns.items()])
    return spark.createDataFrame(rows, struct)


def fact_frame(spark):
    struct = T.StructType([T.StructField("order_date", T.DateType()), T.StructField("customer_id", T.StringType()),
                           T.StructField("net_amount_usd", T.DecimalType(14, 2))])
    return spark.createDataFrame(sales(), struct)


def as_dicts() -> list[dict]:
    return [{"event_id": e, "event_ts": f"{d}T12:00:00Z", "session_id": s, "customer_id": c, "event_type": t,
             "product_id": p} for e, d, s, c, t, p in EVENTS]


def sales() -> list[tuple[date, str, Decimal | None]]:
    return [(date.fromisoformat(d), c, Decimal(v) if v else None) for d, c, v in FACT]


def test_product_funnel_daily_matches_an_independent_count(spark):
    rows = product_funnel_daily(silver_frame(spark)).collect()
    got = {(r["date"], r["product_id"]): (r["product_views"], r["add_to_carts"], r["purchases"],
                                          r["view_to_purchase_rate"]) for r in rows}
    assert got == reference.funnel(as_dicts())
    assert got[(date(2024, 3, 1), "P2")][3] == Decimal("0.3333")
    assert got[(date(2024, 3, 1), "P3")][3] is None


def test_customer_engagement_monthly_matches_an_independent_count(spark):
    rows = customer_engagement_monthly(silver_frame(spark), fact_frame(spark)).collect()
    got = {(r["month"], r["customer_id"]): (r["sessions"], r["events"], r["purchase_events"], r["net_usd"])
           for r in rows}
    assert got == reference.engagement(as_dicts(), sales())
    assert got[(date(2024, 3, 1), "C3")][3] == Decimal("0.00")  # no sales: 0.00, not null
    assert got[(date(2024, 3, 1), "C2")][3] == Decimal("0.00")  # a sale without a USD amount adds nothing
    assert (date(2024, 3, 1), "C9") not in got  # sales without events are no engagement
