"""The landing sensor on a local folder and on an S3 prefix (a moto server), with a real
DagsterInstance: new files, two files for one date, re-delivered content, a late file,
a restart from the stored cursor, and content the audit table already lists."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun, SensorResult, build_sensor_context

from lakehouse_assets.orchestration.follow_up import follow_up_requests
from lakehouse_assets.orchestration.landing_sensor import FILES_TAG, build_landing_sensor
from lakehouse_assets.resources.landing import to_spark_uri
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import build_spark_session
from lakehouse_assets.resources.storage_resource import LakehouseStorage
from lakehouse_assets.run_plan import DAILY_JOB, MONTHLY_JOB, RANGE_END_TAG, RANGE_START_TAG
from lakehouse_assets.settings import OrchestrationSettings, load_settings
from lakehouse_assets.sources import SOURCES

pytestmark = pytest.mark.slow
HEADER = ",".join(SOURCES["orders"].columns) + "\n"


def orders(day: str, order_id: str) -> bytes:
    return (HEADER + f"{order_id},1,{day} 10:00:00,C1,S1,P1,PR1,1,5.00,,EUR,card\n").encode()


@dataclass
class Zone:
    landing: str
    lake: str
    put: Callable[[str, bytes], None]


@pytest.fixture(params=["local", "s3"])
def zone(request, tmp_path, monkeypatch) -> Zone:
    if request.param == "local":
        landing, lake = tmp_path / "landing", tmp_path / "lake"

        def put(relative: str, content: bytes) -> None:
            path = landing / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            stamp = time.time() + len(list(landing.rglob("*")))  # distinct, increasing mtimes
            os.utime(path, (stamp, stamp))

        roots = (str(landing), str(lake))
    else:
        moto = request.getfixturevalue("moto_s3")
        bucket = f"sensor-{uuid.uuid4().hex[:10]}"
        moto.create_bucket(bucket)

        def put(relative: str, content: bytes) -> None:
            moto.client().put_object(Bucket=bucket, Key=f"landing/{relative}", Body=content)

        roots = (f"s3://{bucket}/landing", f"s3://{bucket}/lake")
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", roots[0])
    monkeypatch.setenv("LAKEHOUSE_ROOT", roots[1])
    return Zone(roots[0], roots[1], put)


def tick(instance: DagsterInstance, cursor: str | None) -> SensorResult:
    """One evaluation by a freshly built sensor: nothing survives between ticks but the cursor."""
    sensor = build_landing_sensor(OrchestrationSettings())
    # `storage` nests the `lakehouse` resource, so Dagster sets it up as a context manager.
    with build_sensor_context(instance=instance, cursor=cursor,
                              resources={"storage": LakehouseStorage(lakehouse=LakehouseSettings())}) as context:
        return sensor(context)


def partitions(result: SensorResult) -> list[str]:
    return [r.partition_key or f"{r.tags[RANGE_START_TAG]}..{r.tags[RANGE_END_TAG]}" for r in result.run_requests]


def test_files_start_runs_for_their_dates_once(zone):
    with DagsterInstance.ephemeral() as instance:
        zone.put("orders/date=2024-03-01/a.csv", orders("2024-03-01", "A"))
        first = tick(instance, None)
        assert partitions(first) == ["2024-03-01"]
        assert first.run_requests[0].tags[FILES_TAG] == "1"

        # Two files for one date: one run.
        zone.put("orders/date=2024-03-02/b.csv", orders("2024-03-02", "B"))
        zone.put("customers/date=2024-03-02/c.jsonl", b'{"customer_id": "C1"}\n')
        second = tick(instance, first.cursor)
        assert partitions(second) == ["2024-03-02"]
        assert second.run_requests[0].tags[FILES_TAG] == "2"

        # The same file again (same path, and the same bytes under a new name), and a
        # file for a date whose partition does not exist yet: no run.
        zone.put("orders/date=2024-03-01/a.csv", orders("2024-03-01", "A"))
        zone.put("orders/date=2024-03-02/b-resent.csv", orders("2024-03-02", "B"))
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        zone.put(f"orders/date={tomorrow}/early.csv", orders(tomorrow, "E"))
        third = tick(instance, second.cursor)
        assert third.run_requests == [] and third.skip_reason is not None
        assert "waiting for their partition" in third.skip_reason.skip_message

        # A late file for an old date: exactly that date, then its month's marts.
        zone.put("orders/date=2024-01-15/late.csv", orders("2024-01-15", "L"))
        late = tick(instance, third.cursor)
        assert partitions(late) == ["2024-01-15"]
        daily = DagsterRun(job_name=DAILY_JOB, run_id=str(uuid.uuid4()), tags=late.run_requests[0].tags
                           | {"dagster/partition": "2024-01-15"})
        follow = follow_up_requests(daily, archive=False)[0]
        assert (follow.job_name, follow.partition_key) == (MONTHLY_JOB, "2024-01-01")

        # Replaying a tick from an older cursor asks for the same run key: Dagster starts it once.
        assert tick(instance, third.cursor).run_requests[0].run_key == late.run_requests[0].run_key

    # A restart: a new instance and sensor, only the stored cursor survives.
    with DagsterInstance.ephemeral() as restarted:
        after = tick(restarted, late.cursor)
        assert after.run_requests == []
        zone.put("orders/date=2024-03-03/d.csv", orders("2024-03-03", "D"))
        zone.put("orders/date=2024-03-04/e.csv", orders("2024-03-04", "E"))
        assert partitions(tick(restarted, after.cursor)) == ["2024-03-03..2024-03-04"]


def test_content_listed_in_the_audit_table_starts_no_run(zone, spark):
    """A new sensor (empty cursor) over files a run already ingested: only the new one runs."""
    from lakehouse_assets.resources.landing import content_hash

    zone.put("orders/date=2024-04-01/old.csv", orders("2024-04-01", "O"))
    zone.put("orders/date=2024-04-02/new.csv", orders("2024-04-02", "N"))
    old_uri = f"{zone.landing}/orders/date=2024-04-01/old.csv"
    build_spark_session(load_settings("test"))  # the S3 endpoint of this test's environment
    audit = spark.createDataFrame(
        [(old_uri, "orders", date(2024, 4, 1), content_hash(old_uri), "ingested", "run-1")],
        "path string, source string, partition_date date, content_hash string, status string, run_id string")
    audit.write.format("delta").mode("overwrite").save(to_spark_uri(f"{zone.lake}/audit/ingested_files"))
    with DagsterInstance.ephemeral() as instance:
        result = tick(instance, None)
    assert partitions(result) == ["2024-04-02"]


def test_landing_sensor_lists_nothing_outside_date_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lake"))
    for relative in ("orders/2024-03-01/a.csv", "orders/date=2024-13-01/b.csv", "_archive/orders/date=2024-03-01/c.csv",
                     "orders/date=2024-03-01/_SUCCESS", "orders/date=2024-03-01/.part.csv"):
        path = Path(tmp_path / "landing" / relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    with DagsterInstance.ephemeral() as instance:
        result = tick(instance, None)
    assert result.run_requests == []
    assert "2 path(s) outside date=YYYY-MM-DD folders" in result.skip_reason.skip_message
