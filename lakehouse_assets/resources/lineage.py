"""OpenLineage events from Spark: what `spark_conf` adds when lineage is on, and the Dagster
run and step each event belongs to (docs/operations.md, Lineage).

OpenLineage's Spark listener (`spark.extraListeners`, a jar of .cache/jars) emits a START and
a COMPLETE event for every Spark SQL execution that reads or writes a table, with input and
output datasets, their schemas and column lineage. It reads its own settings once, when the
JVM's first event arrives; a JVM here serves several Dagster runs (`lakehouse run`, tests),
so `spark.openlineage.parentRunId` and `parentJobName` would name the first run for every
later one and are not set. Instead the Dagster run id, job, step and the step's assets are
session settings (`lakehouse.dagster.*`), changed when a step starts using Spark, and listed
in `spark.openlineage.capturedProperties`: every event carries them in its `spark_properties`
run facet. The listener reads them when it handles an event, a moment after Spark posted it,
so before they change the listener's queue is drained (bounded by DRAIN_TIMEOUT_MS).

Sending never fails a run: the listener logs a receiver that is down or slow and goes on
(each POST waits at most TIMEOUT_MS).
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lakehouse_assets.settings import ConfigError, Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
RUN_KEY, JOB_KEY, STEP_KEY, ASSETS_KEY = (f"lakehouse.dagster.{name}" for name in ("run_id", "job", "step", "assets"))
TAG_KEYS = (RUN_KEY, JOB_KEY, STEP_KEY, ASSETS_KEY)
LINEAGE_FOLDER = "_lineage"
LINEAGE_FILE = "openlineage.jsonl"
TIMEOUT_MS = 5000
DRAIN_TIMEOUT_MS = 10_000

# The tags this process last gave its session (one JVM, one session per process).
_current: dict[str, str] = {}


def lineage_on(settings: Settings) -> bool:
    return settings.lineage.enabled or bool(settings.lineage.url)


def lineage_file(settings: Settings) -> str:
    """Where the file transport appends events: `lineage.file`, else `_lineage/` of a local lakehouse."""
    if settings.lineage.file:
        return settings.lineage.file
    if settings.lakehouse_root.startswith(("s3://", "s3a://")):
        raise ConfigError("lineage is on with the lakehouse on S3: set LAKEHOUSE_OPENLINEAGE_URL (HTTP) or "
                          "lineage.file (a local path of the driver) in the config")
    return f"{settings.lakehouse_root}/{LINEAGE_FOLDER}/{LINEAGE_FILE}"


def lineage_conf(settings: Settings) -> dict[str, str]:
    """The listener's Spark settings, or none when lineage is off."""
    if not lineage_on(settings):
        return {}
    conf = {
        "spark.extraListeners": LISTENER,
        "spark.openlineage.namespace": settings.lineage.namespace,
        "spark.openlineage.capturedProperties": ",".join(("spark.app.name", "spark.master", *TAG_KEYS)),
    }
    if settings.lineage.url:
        conf.update({"spark.openlineage.transport.type": "http",
                     "spark.openlineage.transport.url": settings.lineage.url,
                     "spark.openlineage.transport.timeoutInMillis": str(TIMEOUT_MS)})
    else:
        conf.update({"spark.openlineage.transport.type": "file",
                     "spark.openlineage.transport.location": lineage_file(settings)})
    return conf


def receiver_answers(url: str, timeout: float = 2.0) -> bool:
    """True when the receiver's host accepts a TCP connection."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def quiet_listener_logs(session: SparkSession, settings: Settings) -> None:
    """Only the listener's errors are logged: its warnings are about plans it cannot name a
    dataset for (Delta's internal queries) and are not actionable, and so are its errors for
    executions that have no plan left to read. A receiver that does not answer when the run
    starts is one warning here instead of a stack trace for every event it misses."""
    jvm = session._jvm
    levels, configurator = jvm.org.apache.logging.log4j.Level, jvm.org.apache.logging.log4j.core.config.Configurator
    configurator.setLevel("io.openlineage", levels.ERROR)
    configurator.setLevel("io.openlineage.spark.agent.lifecycle.ContextFactory", levels.OFF)
    down = bool(settings.lineage.url) and not receiver_answers(settings.lineage.url)
    configurator.setLevel("io.openlineage.spark.agent.EventEmitter", levels.OFF if down else levels.ERROR)
    if down:
        log.warning("lineage: the OpenLineage receiver %s does not answer; this run's lineage events are "
                    "dropped (the run goes on)", settings.lineage.url)


def step_tags(run_id: str, job: str, step: str = "", assets: tuple[str, ...] = ()) -> dict[str, str]:
    return dict(zip(TAG_KEYS, (run_id, job, step, ",".join(assets))))


def tag_session(session: SparkSession, tags: dict[str, str]) -> None:
    """Give the session's next lineage events these Dagster tags (nothing to do if they are the
    current ones). Events Spark posted before are handled first, under the tags they ran with."""
    if tags == _current:
        return
    if _current:
        _drain(session)
    for key, value in tags.items():
        session.conf.set(key, value)
    _current.clear()
    _current.update(tags)


def _drain(session: SparkSession) -> None:
    """Wait until Spark's listeners have handled every event posted so far. `waitUntilEmpty` is
    internal to Spark: if it is missing or times out, the tags change anyway (an event at a step
    boundary may then carry the next step's tags; the run is never held up longer)."""
    try:
        session.sparkContext._jsc.sc().listenerBus().waitUntilEmpty(DRAIN_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (py4j errors of any kind: lineage must never fail a run)
        pass
