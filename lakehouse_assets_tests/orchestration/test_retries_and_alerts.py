"""Retries for transient failures, fast failure for data errors, and the Slack alert,
through the real IO manager and the jobs' retry policy: bronze/orders of one generated
day is written to an S3 endpoint that throttles every request during the first attempt,
then to a table whose schema does not match."""

from __future__ import annotations

import shutil
import threading
import uuid
from datetime import date

import pytest
import yaml
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    Failure,
    build_run_status_sensor_context,
    define_asset_job,
)
from sqlalchemy.exc import OperationalError

from lakehouse_assets.failures import Kind, classified_failures, classify, retry_policy
from lakehouse_assets.generate import generate
from lakehouse_assets.orchestration.alerts import UI_URL_ENV, WEBHOOK_ENV, SlackWebhook, slack_on_run_failure
from lakehouse_assets.run_plan import DAILY_JOB
from lakehouse_assets.settings import PROJECT_ROOT, OrchestrationSettings, load_settings
from lakehouse_assets_tests.orchestration.servers import RecordingWebhook, ThrottlingS3Proxy

DAY = date(2024, 2, 29)
BRONZE_ORDERS = AssetKey(["bronze", "orders"])
RETRY_DELAY_SECONDS = 5
# s3a retries on its own; the test turns that off so the throttled request reaches the step.
S3A_NO_RETRY = {"fs.s3a.attempts.maximum": "0", "fs.s3a.retry.limit": "0", "fs.s3a.retry.throttle.limit": "0"}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("retries") / "landing"
    generate(DAY, 1, str(root), rows_per_day=20, seed=5, defects=0.0, progress=False)
    return root


@pytest.fixture
def roots(landing, monkeypatch):
    def use(lakehouse_root: str) -> None:
        monkeypatch.setenv("LAKEHOUSE_ENV", "test")
        monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(landing))
        monkeypatch.setenv("LAKEHOUSE_ROOT", lakehouse_root)
    return use


@pytest.fixture
def slow_retry_config(tmp_path, monkeypatch):
    """The project's config with a 5-second retry delay: time enough, on a busy machine,
    for S3 to recover between the attempts."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    test = yaml.safe_load((folder / "test.yaml").read_text())
    test["orchestration"]["retry_delay_seconds"] = RETRY_DELAY_SECONDS
    (folder / "test.yaml").write_text(yaml.safe_dump(test))
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(folder))


def materialize_bronze_orders(instance: DagsterInstance):
    """bronze/orders as the daily job builds it, with the retry policy of this test's config.

    The jobs take their policy from the config read when the code location loads, before
    this test sets its own; that every job carries one is tested in faults/test_retry.py."""
    from lakehouse_assets.definitions import defs

    name = f"{DAILY_JOB}_bronze_orders"
    retried = define_asset_job(name, selection=[BRONZE_ORDERS], op_retry_policy=retry_policy(load_settings()))
    test_defs = Definitions(assets=defs.assets, resources=defs.resources, executor=defs.executor, jobs=[retried])
    return test_defs.resolve_job_def(name).execute_in_process(
        instance=instance, partition_key=DAY.isoformat(), raise_on_error=False)


def events_of(result, kind: DagsterEventType) -> list:
    return [e for e in result.all_events if e.event_type_value == kind.value]


@pytest.mark.parametrize("error, kind", [
    (ConnectionResetError("Connection reset by peer"), Kind.TRANSIENT),
    (RuntimeError("An error occurred (SlowDown) when calling the PutObject operation: Please reduce"), Kind.TRANSIENT),
    (RuntimeError("org.apache.spark.SparkException: Job aborted: ExecutorLostFailure (executor 3 exited)"),
     Kind.TRANSIENT),
    (RuntimeError("io.delta.exceptions.ConcurrentAppendException: [DELTA_CONCURRENT_APPEND] Files were added "
                  "to partition [d=2024-02-29] by a concurrent update"), Kind.TRANSIENT),
    (RuntimeError("[DELTA_REPLACE_WHERE_MISMATCH] Written data does not conform to partial table overwrite"),
     Kind.DATA),
    (FileNotFoundError("table silver/orders does not exist at /x: materialize it first"), Kind.DATA),
    (RuntimeError("org.apache.spark.sql.delta.DeltaIOException: [DELTA_CANNOT_CREATE_LOG_PATH] Cannot create "
                  "file:/x/bronze/orders/_delta_log"), Kind.DATA),
    (KeyError("partition_expr"), Kind.UNKNOWN),
])
def test_errors_are_classified(error, kind):
    assert classify(error) is kind
    settings = OrchestrationSettings(max_retries=2, retry_delay_seconds=3)
    expected = {Kind.TRANSIENT: Failure, Kind.DATA: Failure, Kind.UNKNOWN: type(error)}[kind]
    with pytest.raises(expected) as raised, classified_failures("writing x", settings, attempt=1):
        raise error
    if kind is Kind.TRANSIENT:  # the jobs' policy retries it: 2 retries, the second 9 s (3 * (2**2 - 1)) later
        assert raised.value.allow_retries and " while writing x, retryable:" in raised.value.description
        policy = retry_policy(settings)
        assert (policy.max_retries, policy.calculate_delay(1 + 1)) == (2, 9)
    if kind is Kind.DATA:
        assert not raised.value.allow_retries
        assert raised.value.description.startswith("data error while writing x, not retried")


def heal_on_first_retry(instance: DagsterInstance, proxy: ThrottlingS3Proxy, stop: threading.Event) -> None:
    """S3 recovers while Dagster waits to retry the step: throttled for exactly one attempt.

    The ephemeral instance is an in-memory SQLite database in shared-cache mode, so a read
    from this thread can meet the run's own write and get `database table is locked`; the
    watcher then simply looks again at the next poll."""
    while not stop.wait(0.05):
        try:
            retried = any(instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)
                          for run in instance.get_runs())
        except OperationalError:
            continue
        if retried:
            proxy.heal()
            return


@pytest.mark.slow
def test_throttled_s3_write_is_retried_and_succeeds(spark, moto_s3, roots, slow_retry_config, monkeypatch):
    bucket = f"flaky-{uuid.uuid4().hex[:10]}"  # a new bucket: s3a caches a filesystem per bucket
    moto_s3.create_bucket(bucket)
    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    stop = threading.Event()
    with ThrottlingS3Proxy(moto_s3.endpoint) as proxy, DagsterInstance.ephemeral() as instance:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        roots(f"s3://{bucket}/lakehouse")
        for key, value in S3A_NO_RETRY.items():
            hadoop.set(key, value)
        watcher = threading.Thread(target=heal_on_first_retry, args=(instance, proxy, stop), daemon=True)
        watcher.start()
        try:
            result = materialize_bronze_orders(instance)
        finally:
            stop.set()
            for key in S3A_NO_RETRY:
                hadoop.unset(key)
    assert result.success
    [retry] = events_of(result, DagsterEventType.STEP_UP_FOR_RETRY)
    assert retry.step_key == "ingest"
    assert retry.event_specific_data.seconds_to_wait == RETRY_DELAY_SECONDS
    assert "503" in str(retry.event_specific_data.error.to_string())
    assert proxy.failed > 0 and proxy.forwarded > 0
    assert any(k.startswith("lakehouse/bronze/orders/_delta_log/") for k in moto_s3.keys(bucket, "lakehouse/"))


@pytest.mark.slow
def test_data_error_fails_at_once_and_is_alerted(spark, roots, tmp_path, monkeypatch, capfd):
    lake = tmp_path / "lake"
    roots(str(lake))
    # A table at bronze/orders whose schema is not bronze's: every attempt would fail the same way.
    spark.createDataFrame([(1, DAY)], "order_id int, _partition_date date").write.format("delta") \
        .partitionBy("_partition_date").save(str(lake / "bronze" / "orders"))
    with DagsterInstance.ephemeral() as instance, RecordingWebhook() as hook:
        result = materialize_bronze_orders(instance)
        assert not result.success
        assert events_of(result, DagsterEventType.STEP_UP_FOR_RETRY) == []
        [failure] = events_of(result, DagsterEventType.STEP_FAILURE)
        description = failure.event_specific_data.user_failure_data.description
        assert description.startswith("data error while writing bronze/orders, not retried:")

        run = instance.get_run_by_id(result.run_id)
        [record] = instance.get_records_for_run(result.run_id, of_type=DagsterEventType.RUN_FAILURE).records
        context = build_run_status_sensor_context(
            sensor_name="slack_on_run_failure", dagster_event=record.event_log_entry.dagster_event,
            dagster_instance=instance, dagster_run=run, resources={"slack": SlackWebhook()},
        ).for_run_failure()

        monkeypatch.delenv(WEBHOOK_ENV, raising=False)
        capfd.readouterr()
        slack_on_run_failure(context)  # alerts off: nothing is sent, one line says so
        assert hook.received == []
        assert f"alerts are off ({WEBHOOK_ENV} is not set)" in capfd.readouterr().err

        monkeypatch.setenv(WEBHOOK_ENV, f"{hook.endpoint}/services/T000/B000/XXXX")
        monkeypatch.setenv(UI_URL_ENV, "http://dagster.example:3000")
        slack_on_run_failure(context)
    [posted] = hook.received
    assert posted["path"] == "/services/T000/B000/XXXX" and posted["content_type"] == "application/json"
    message = posted["json"]
    assert set(message) == {"text", "blocks"}
    for expected in ("bronze/orders", DAY.isoformat(), "data error while writing bronze/orders",
                     f"http://dagster.example:3000/runs/{result.run_id}"):
        assert expected in message["text"], expected
    assert any(b.get("type") == "header" for b in message["blocks"])
    assert f"<http://dagster.example:3000/runs/{result.run_id}|" in message["blocks"][-1]["text"]["text"]
