"""SPEC §7's events tables computed in plain Python from events as dicts: the independent reading
the tests hold the Spark transforms to."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

FUNNEL_TYPES = {"product_view": "product_views", "add_to_cart": "add_to_carts", "purchase": "purchases"}


def event_day(event: dict) -> date:
    return datetime.fromisoformat(event["event_ts"].replace("Z", "+00:00")).date()


def first_copies(texts: Iterable[str]) -> list[dict]:
    """Valid events of messages in the order Kafka received them, each event_id once (its first copy).
    Only messages the generator left intact are valid here: the tests send no other kind."""
    seen: dict[str, dict] = {}
    for text in texts:
        event = json.loads(text)
        seen.setdefault(event["event_id"], event)
    return list(seen.values())


def funnel(events: Iterable[dict]) -> dict:
    """(date, product_id) -> (product_views, add_to_carts, purchases, view_to_purchase_rate)."""
    counts: dict = defaultdict(lambda: dict.fromkeys(FUNNEL_TYPES.values(), 0))
    for e in events:
        if e.get("product_id") is not None and e["event_type"] in FUNNEL_TYPES:
            counts[(event_day(e), e["product_id"])][FUNNEL_TYPES[e["event_type"]]] += 1
    out = {}
    for key, c in counts.items():
        rate = None if c["product_views"] == 0 else (
            Decimal(c["purchases"]) / Decimal(c["product_views"])).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        out[key] = (c["product_views"], c["add_to_carts"], c["purchases"], rate)
    return out


def engagement(events: Iterable[dict], sales: Iterable[tuple[date, str, Decimal | None]]) -> dict:
    """(month, customer_id) -> (sessions, events, purchase_events, net_usd); `sales` are
    (order_date, customer_id, net_amount_usd) rows of gold/fact_sales."""
    sessions, counts, purchases = defaultdict(set), defaultdict(int), defaultdict(int)
    for e in events:
        if e.get("customer_id") is None:
            continue
        key = (event_day(e).replace(day=1), e["customer_id"])
        sessions[key].add(e["session_id"])
        counts[key] += 1
        purchases[key] += e["event_type"] == "purchase"
    net: dict = defaultdict(lambda: Decimal("0.00"))
    for day, customer, amount in sales:
        if amount is not None:
            net[(day.replace(day=1), customer)] += amount
    return {key: (len(sessions[key]), counts[key], purchases[key], net[key]) for key in counts}
