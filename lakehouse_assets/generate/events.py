"""Behaviour events for Kafka topic retail.events (SPEC §7 events), deterministic from the seed.

Each day has sessions of known customers (the generator's `C...` ids, so engagement
meets their sales in gold/fact_sales) and anonymous visitors: page views, product views
of the generator's `P...` products, add/remove to cart, checkout and purchase. With a
defect rate, that share of messages is replaced by a bad one of each kind (not JSON,
a required field missing, event_ts not a timestamp, an unknown event_type), and the same
share of events is sent a second time after the next day's messages (a re-send that
arrives late: same event_id, same event_ts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lakehouse_assets.contracts.events import TOPIC
from lakehouse_assets.generate.common import rng_for
from lakehouse_assets.generate.master import pool_sizes
from lakehouse_assets.resources.kafka import ensure_topic, producer

ANONYMOUS_SHARE = 0.3
DEFECT_KINDS = ("not_json", "missing_session", "bad_ts", "unknown_type")


@dataclass(frozen=True)
class Message:
    key: str
    value: str
    kind: str  # "event", "resent" or one of DEFECT_KINDS


def sessions_per_day(rows_per_day: int) -> int:
    return max(20, rows_per_day // 50)


def _ts(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


def _event(event_id: str, at: datetime, session: str, customer: str | None, event_type: str,
           product: str | None = None, order: str | None = None, properties: dict | None = None) -> dict:
    return {"event_id": event_id, "event_ts": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "session_id": session,
            "customer_id": customer, "event_type": event_type, "product_id": product, "order_id": order,
            "properties": properties or {}}


def day_events(seed: int, day: date, rows_per_day: int) -> list[dict]:
    """The valid events of one day, in time order."""
    rng = rng_for(seed, "events", day)
    customers, products = pool_sizes(rows_per_day)
    events: list[dict] = []
    for s in range(sessions_per_day(rows_per_day)):
        session = f"{day:%Y%m%d}-S{s:05d}"
        customer = None if rng.random() < ANONYMOUS_SHARE else f"C{int(rng.integers(customers)) + 1:07d}"
        at = _ts(day, int(rng.integers(0, 80_000)))
        steps: list[tuple[str, str | None, str | None]] = [("page_view", None, None)]
        for _ in range(int(rng.integers(1, 4))):
            product = f"P{int(rng.integers(products)) + 1:06d}"
            steps.append(("product_view", product, None))
            if rng.random() < 0.4:
                steps.append(("add_to_cart", product, None))
                if rng.random() < 0.2:
                    steps.append(("remove_from_cart", product, None))
                elif rng.random() < 0.5:
                    steps += [("checkout", None, None), ("purchase", product, f"W{day:%Y%m%d}{s:05d}")]
        for n, (event_type, product, order) in enumerate(steps):
            props = {"page": "/"} if event_type == "page_view" else {}
            events.append(_event(f"{session}-{n:02d}", at + timedelta(seconds=17 * n), session, customer,
                                 event_type, product, order, props))
    return sorted(events, key=lambda e: e["event_ts"])


def _defect(kind: str, event: dict) -> str:
    if kind == "not_json":
        return "{not json: " + event["event_id"]
    broken = dict(event)
    if kind == "missing_session":
        del broken["session_id"]
    elif kind == "bad_ts":
        broken["event_ts"] = "yesterday evening"
    else:
        broken["event_type"] = "wishlist_add"
    return json.dumps(broken)


def event_messages(seed: int, start: date, days: int, rows_per_day: int, defects: float = 0.0) -> list[Message]:
    """Every message of `[start, start + days)` in the order they are sent; re-sends of a day
    follow the next day's messages (the last day's follow its own)."""
    out: list[Message] = []
    pending: list[Message] = []
    for i in range(days):
        day = start + timedelta(days=i)
        rng = rng_for(seed, "event-defects", day)
        today: list[Message] = []
        resend: list[Message] = []
        for event in day_events(seed, day, rows_per_day):
            value, kind = json.dumps(event), "event"
            if defects and rng.random() < defects:
                kind = DEFECT_KINDS[int(rng.integers(len(DEFECT_KINDS)))]
                value = _defect(kind, event)
            today.append(Message(event["session_id"], value, kind))
            if kind == "event" and defects and rng.random() < defects:
                resend.append(Message(event["session_id"], value, "resent"))
        out += today + pending
        pending = resend
    return out + pending


def produce(bootstrap: str, messages: Iterable[Message], topic: str = TOPIC, partitions: int = 2) -> int:
    """Send `messages` in order (keyed by session) and wait until the broker has them all."""
    ensure_topic(bootstrap, topic, partitions)
    sender = producer(bootstrap)
    failures: list[str] = []

    def delivered(error, _message) -> None:
        if error is not None:
            failures.append(str(error))

    sent = 0
    for message in messages:
        # Kafka stamps the send time: a broker's time-based retention would delete messages
        # stamped with past event times at once.
        sender.produce(topic, key=message.key.encode(), value=message.value.encode(), on_delivery=delivered)
        sender.poll(0)
        sent += 1
    remaining = sender.flush(60)
    if remaining or failures:
        raise RuntimeError(f"{remaining} message(s) not delivered to {bootstrap}: {'; '.join(failures[:3])}")
    return sent
