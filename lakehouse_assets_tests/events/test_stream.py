"""The events ingestion on a real broker: exactly once across a kill, a replayed batch written once,
malformed messages quarantined with their reasons (SPEC §7 events, §3 reasons), re-sent events
counted once in silver across days."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from delta.tables import DeltaTable

from lakehouse_assets.events.stream import CheckpointLost, ingest_available
from lakehouse_assets.generate.events import event_messages, produce
from lakehouse_assets.io_managers.tables import CREATE_PROPERTIES
from lakehouse_assets.resources.kafka import watermarks
from lakehouse_assets.settings import PROJECT_ROOT
from lakehouse_assets.transforms.events import silver_events
from lakehouse_assets_tests.events.conftest import event, send, target_for

# Spark streaming against a real broker, a child process killed mid-stream: about a minute in all.
pytestmark = pytest.mark.slow

# What the generator broke -> the reason and detail SPEC §3 gives it.
EXPECTED_REASON = {"not_json": ("malformed_row", "not a JSON object"),
                   "missing_session": ("missing_value", "session_id"),
                   "bad_ts": ("bad_type", "event_ts"), "unknown_type": ("out_of_range", "event_type")}
KILL_AFTER_COMMITS = 1  # bronze commits (one a batch) the child makes before it is killed


MESSAGES, BATCH = 60, 30  # two or three micro-batches: the kill lands after the first


def table(spark, path):
    return spark.read.format("delta").load(path)


def commits(path: str) -> int:
    log = Path(path) / "_delta_log"
    return len(list(log.glob("*.json"))) if log.is_dir() else 0


def start_child(root: Path, bootstrap: str, topic: str, max_offsets: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lakehouse_assets_tests.events.stream_child", str(root), bootstrap, topic,
         str(max_offsets)],
        cwd=PROJECT_ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "LAKEHOUSE_ENV": "test"})


def kill_after(child: subprocess.Popen, path: str, commits_wanted: int, timeout_s: float = 150.0) -> None:
    """SIGKILL the child (and its JVM) once bronze has `commits_wanted` commits."""
    deadline = time.monotonic() + timeout_s
    while commits(path) < commits_wanted:
        if child.poll() is not None:
            pytest.fail(f"the ingestion ended before it was killed: {child.stderr.read().decode()[-2000:]}")
        assert time.monotonic() < deadline, "the child wrote nothing in time"
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(30)


def test_a_run_killed_mid_stream_neither_loses_nor_duplicates_a_message(spark, kafka, tmp_path):
    topic = "kill.events"
    messages = event_messages(11, date(2024, 3, 1), 1, 1000, defects=0.1)[:MESSAGES]
    produce(kafka.bootstrap, messages, topic=topic, partitions=2)
    target = target_for(tmp_path, kafka.bootstrap, topic, max_offsets=BATCH)

    child = start_child(tmp_path, kafka.bootstrap, topic, BATCH)
    kill_after(child, target.bronze_path, KILL_AFTER_COMMITS)
    after_kill = table(spark, target.bronze_path).count()
    assert 0 < after_kill < len(messages), "the kill must land mid-stream"

    run = ingest_available(spark, target)
    bronze = table(spark, target.bronze_path)
    rows = bronze.select("_partition", "_offset", "value").collect()
    produced = {p: high for p, (_, high) in watermarks(kafka.bootstrap, topic).items()}
    assert sorted((r["_partition"], r["_offset"]) for r in rows) == \
        sorted((p, o) for p, high in produced.items() for o in range(high))  # every offset, once
    assert Counter(r["value"] for r in rows) == Counter(m.value for m in messages)
    assert run.messages >= len(messages) - after_kill  # a replayed batch is read again, and written once
    quarantined = Counter((r["reason"], r["reason_detail"])
                          for r in table(spark, target.quarantine_path).collect())
    assert quarantined == Counter(EXPECTED_REASON[m.kind] for m in messages if m.kind in EXPECTED_REASON)


def test_a_batch_replayed_after_its_delta_commit_is_written_once(spark, kafka, tmp_path):
    """A kill between the Delta commits and the checkpoint's commit, made exact: the last batch's
    commit file is removed, so the next run replays that batch with the same id and offsets."""
    topic = "replay.events"
    send(kafka.bootstrap, topic, [event(f"e{i}", "2024-03-01T10:00:00Z") for i in range(5)] + ["not json"])
    target = target_for(tmp_path, kafka.bootstrap, topic, max_offsets=3)
    first = ingest_available(spark, target)
    assert first.batches == [0, 1]
    versions = {p: DeltaTable.forPath(spark, p).history(1).first()["version"]
                for p in (target.bronze_path, target.quarantine_path)}

    for name in ("1", ".1.crc"):  # the commit and the local filesystem's checksum of it
        (Path(target.checkpoint) / "commits" / name).unlink()
    replay = ingest_available(spark, target)

    assert replay.batches == [1]  # the batch did run again (and was committed to the checkpoint) ...
    assert (Path(target.checkpoint) / "commits" / "1").is_file()
    for path, version in versions.items():  # ... and neither table took a commit from it
        assert DeltaTable.forPath(spark, path).history(1).first()["version"] == version
    assert table(spark, target.bronze_path).count() == 6
    assert table(spark, target.quarantine_path).count() == 1
    # The first append created each table with its layer's properties (io_managers/tables.py).
    properties = {path: DeltaTable.forPath(spark, path).detail().first()["properties"]
                  for path in (target.bronze_path, target.quarantine_path)}
    assert properties == {target.bronze_path: CREATE_PROPERTIES["bronze"], target.quarantine_path: {}}


def test_the_stream_refuses_to_start_over_when_its_checkpoint_is_gone(spark, kafka, tmp_path):
    topic = "lost.events"
    send(kafka.bootstrap, topic, [event("e1", "2024-03-01T10:00:00Z")])
    target = target_for(tmp_path, kafka.bootstrap, topic)
    ingest_available(spark, target)
    subprocess.run(["rm", "-rf", target.checkpoint], check=True)
    with pytest.raises(CheckpointLost, match="delete bronze/events and quarantine/events together"):
        ingest_available(spark, target)
    assert table(spark, target.bronze_path).count() == 1


MALFORMED = [
    ("{not json", "malformed_row", "not a JSON object"),
    ("[1, 2, 3]", "malformed_row", "not a JSON object"),
    ('"just a string"', "malformed_row", "not a JSON object"),
    (event(None, "2024-03-01T10:00:00Z"), "missing_value", "event_id"),
    (event("m2", "2024-03-01T10:00:00Z", session=""), "missing_value", "session_id"),
    (event("m3", "2024-03-01T10:00:00Z", "product_view"), "missing_value", "product_id"),
    (event("m4", "2024-03-01T10:00:00Z", "purchase", product="P1"), "missing_value", "order_id"),
    (event("m5", "tuesday"), "bad_type", "event_ts"),
    (event("m6", "2024-03-01T10:00:00Z", properties=[1]), "bad_type", "properties"),
    (event("m7", "2024-03-01T10:00:00Z", "wishlist_add"), "out_of_range", "event_type"),
]
VALID = [event("v1", "2024-03-01T10:00:00Z", customer=None), event("v2", "2024-03-02T00:00:00+00:00",
         "purchase", product="P1", order="O1", properties={"coupon": "X"})]


def test_malformed_messages_are_quarantined_with_reasons_and_the_stream_goes_on(spark, kafka, tmp_path):
    topic = "malformed.events"
    texts = send(kafka.bootstrap, topic, [m[0] for m in MALFORMED] + VALID)
    target = target_for(tmp_path, kafka.bootstrap, topic)
    run = ingest_available(spark, target)
    assert run.messages == len(texts)
    quarantined = {r["value"]: (r["reason"], r["reason_detail"], r["event_date"])
                   for r in table(spark, target.quarantine_path).collect()}
    sent_on = datetime.now(UTC).date()  # without a usable event_ts, a message is dated by its Kafka timestamp
    expected = {text: (reason, detail, sent_on if reason == "malformed_row" or detail == "event_ts"
                       else date(2024, 3, 1))
                for text, (_, reason, detail) in zip(texts, MALFORMED)}
    assert quarantined == expected
    bronze = table(spark, target.bronze_path)
    assert bronze.count() == len(texts)
    assert {r["value"] for r in bronze.where("event_date = DATE'2024-03-02'").collect()} == {texts[-1]}


def test_a_resent_event_is_counted_once_in_silver_across_days(spark, kafka, tmp_path):
    """e1 is re-sent as it was; e2 is re-sent with an event_ts on the next day. Whichever days
    silver is built for, each event_id is in it once, from the copy Kafka received first."""
    topic = "resent.events"
    e1, e2 = event("e1", "2024-03-01T10:00:00Z"), event("e2", "2024-03-01T23:59:59Z", "product_view", product="P1")
    e3 = event("e3", "2024-03-02T08:00:00Z", session="s2")
    late_e2 = {**e2, "event_ts": "2024-03-02T00:00:05Z"}
    send(kafka.bootstrap, topic, [e1, e2, e3, e1, late_e2])
    target = target_for(tmp_path, kafka.bootstrap, topic)
    ingest_available(spark, target)
    bronze = table(spark, target.bronze_path)

    def silver(*days: str) -> list[tuple[str, str]]:
        window = bronze.where(bronze.event_date.isin([date.fromisoformat(d) for d in days]))
        return sorted((r["event_id"], r["event_ts"].isoformat()) for r in silver_events(window, bronze).collect())

    day1, day2 = silver("2024-03-01"), silver("2024-03-02")
    assert day1 == [("e1", "2024-03-01T10:00:00"), ("e2", "2024-03-01T23:59:59")]
    assert day2 == [("e3", "2024-03-02T08:00:00")]
    assert silver("2024-03-01", "2024-03-02") == sorted(day1 + day2)
    per_day = {r["event_date"].isoformat(): r["count"] for r in bronze.groupBy("event_date").count().collect()}
    assert per_day == {"2024-03-01": 3, "2024-03-02": 2}  # bronze keeps both copies: the duplicates removed
