"""The local broker launcher without a broker: what it says when its jars are missing, and the
one-node KRaft configuration it writes. No JVM."""

from __future__ import annotations

import pytest

from lakehouse_assets.events.broker import BrokerError, LocalKafka, server_properties


def test_missing_jars_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_KAFKA_JAR_DIR", str(tmp_path / "no-jars"))
    with pytest.raises(BrokerError, match=r"run `make install`.*kafka-pom.xml.*Java 17"):
        LocalKafka(tmp_path / "kafka").start()


def test_the_configuration_is_one_kraft_node_on_loopback(tmp_path):
    lines = dict(line.split("=", 1) for line in server_properties(tmp_path, 9101, 9102).splitlines() if line)
    assert lines["process.roles"] == "broker,controller"
    assert lines["controller.quorum.voters"] == "1@127.0.0.1:9102"
    assert lines["listeners"] == "PLAINTEXT://127.0.0.1:9101,CONTROLLER://127.0.0.1:9102"
    assert lines["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9101"
    assert lines["offsets.topic.replication.factor"] == lines["transaction.state.log.min.isr"] == "1"
    assert lines["group.initial.rebalance.delay.ms"] == "0" and lines["log.retention.ms"] == "-1"
