"""The Kafka cluster of the events source: its variable, the topic's offsets, topic creation.

`LAKEHOUSE_KAFKA_BOOTSTRAP` (host:port[,host:port]) is read when a run or command starts;
unset, the events source is skipped (docs/sources.md). Python talks to Kafka with
confluent-kafka (librdkafka); Spark reads the topic with its own connector.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

BOOTSTRAP_VAR = "LAKEHOUSE_KAFKA_BOOTSTRAP"
TIMEOUT_S = 30.0


class KafkaError(RuntimeError):
    """The cluster did not answer or refused a request; the message says which."""


def bootstrap_servers(environ: Mapping[str, str] = os.environ) -> str | None:
    """The configured brokers, or None when the events source is not configured."""
    value = (environ.get(BOOTSTRAP_VAR) or "").strip()
    return value or None


def watermarks(bootstrap: str, topic: str) -> dict[int, tuple[int, int]]:
    """partition -> (low, high) offsets of `topic`: high is the offset of the next message."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "lakehouse-lag", "enable.auto.commit": False})
    try:
        metadata = consumer.list_topics(topic, timeout=TIMEOUT_S)
        found = metadata.topics.get(topic)
        if found is None or found.error is not None:
            raise KafkaError(f"topic {topic} not found on {bootstrap}: {getattr(found, 'error', None)}")
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=TIMEOUT_S)
                for p in sorted(found.partitions)}
    finally:
        consumer.close()


def ensure_topic(bootstrap: str, topic: str, partitions: int = 1) -> None:
    """Create `topic` unless it exists."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    if topic in admin.list_topics(timeout=TIMEOUT_S).topics:
        return
    future = admin.create_topics([NewTopic(topic, partitions, 1)])[topic]
    try:
        future.result(timeout=TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - a concurrent creator is no error
        if "TOPIC_ALREADY_EXISTS" not in str(error):
            raise KafkaError(f"could not create topic {topic} on {bootstrap}: {error}") from None


def producer(bootstrap: str):
    """An idempotent producer: a retried send is written once, in order."""
    from confluent_kafka import Producer

    return Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 20})
