"""A real Kafka broker per test module (lakehouse_assets/events/broker.py, as `make stack` uses),
and helpers to send messages to a topic of a test's own."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from lakehouse_assets.events.assets import stream_target
from lakehouse_assets.events.broker import BrokerError, LocalKafka
from lakehouse_assets.events.stream import StreamTarget
from lakehouse_assets.generate.events import Message, produce


@pytest.fixture(scope="module")
def kafka(tmp_path_factory):
    try:
        broker = LocalKafka(tmp_path_factory.mktemp("kafka")).start()
    except BrokerError as error:
        pytest.fail(f"the events tests need a local Kafka broker, which did not start: {error}", pytrace=False)
    try:
        yield broker
    finally:
        broker.stop()


def send(bootstrap: str, topic: str, values: Iterable[str | dict], key: str = "k", partitions: int = 1) -> list[str]:
    """Send `values` (dicts as JSON) to `topic` in order; the texts sent."""
    texts = [v if isinstance(v, str) else json.dumps(v) for v in values]
    produce(bootstrap, [Message(key, text, "test") for text in texts], topic=topic, partitions=partitions)
    return texts


def target_for(root: Path, bootstrap: str, topic: str, max_offsets: int = 10_000) -> StreamTarget:
    base = stream_target(str(root), bootstrap, max_offsets)
    return StreamTarget(bootstrap=bootstrap, bronze_path=base.bronze_path, quarantine_path=base.quarantine_path,
                        checkpoint=base.checkpoint, topic=topic, max_offsets_per_trigger=max_offsets)


def event(event_id: str | None, ts: str, event_type: str = "page_view", session: str = "s1",
          customer: str | None = "C1", product: str | None = None, order: str | None = None, **extra) -> dict:
    return {"event_id": event_id, "event_ts": ts, "session_id": session, "customer_id": customer,
            "event_type": event_type, "product_id": product, "order_id": order, "properties": {}, **extra}
