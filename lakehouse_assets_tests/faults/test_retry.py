"""One retry layer: the jobs' retry policy. A Delta write conflict (like any transient
fault) fails the step with a retryable `Failure` and the policy runs the step again, a
bounded number of times; a data error is not retried; no write retries on its own."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from dagster import Backoff, DagsterEventType, DagsterInstance, Failure, job, op

from lakehouse_assets.failures import Kind, attempt_number, classified_failures, classify, retry_policy
from lakehouse_assets.io_managers.tables import DeltaTables
from lakehouse_assets.settings import OrchestrationSettings

WRITES = ("replace_window", "overwrite", "upsert_groups")
WRITERS = 2
MAX_RETRIES = 3
NO_WAIT = OrchestrationSettings(max_retries=MAX_RETRIES, retry_delay_seconds=0)


class ConcurrentAppendException(Exception):
    """Named like Delta's: the classification matches on the class name, as py4j hands it over."""


CONFLICTS = [
    ConcurrentAppendException("Files were added to partition [d=2024-01-01] by a concurrent update"),
    RuntimeError("An error occurred while calling o91.save.\n: io.delta.exceptions.ProtocolChangedException: "
                 "[DELTA_PROTOCOL_CHANGED] The protocol version of the Delta table has been changed by a "
                 "concurrent update. This happens when multiple writers are writing to an empty directory."),
    RuntimeError("An error occurred while calling o95.execute.\n: io.delta.exceptions.MetadataChangedException: "
                 "[DELTA_METADATA_CHANGED] The metadata of the Delta table has been changed by a concurrent update."),
    RuntimeError("io.delta.exceptions.ConcurrentDeleteReadException: [DELTA_CONCURRENT_DELETE_READ] This "
                 "transaction attempted to read one or more files that were deleted by a concurrent update."),
]


def one_step_job(body: Callable[[], None]):
    """A job of one op that runs `body` inside `classified_failures`, with the jobs' retry policy."""

    @op
    def write(context) -> None:
        with classified_failures("writing silver/by_day", NO_WAIT, attempt_number(context)):
            body()

    @job(op_retry_policy=retry_policy(NO_WAIT))
    def one_write():
        write()

    return one_write


def retries(result) -> int:
    return sum(1 for e in result.all_events if e.event_type_value == DagsterEventType.STEP_UP_FOR_RETRY.value)


@pytest.mark.parametrize("error", CONFLICTS, ids=lambda e: type(e).__name__)
def test_conflicts_are_transient(error):
    assert classify(error) is Kind.TRANSIENT
    with pytest.raises(Failure) as raised, classified_failures("writing x", NO_WAIT):
        raise error
    assert raised.value.allow_retries
    assert raised.value.description.startswith("Delta write conflict while writing x, retryable:")


def test_retry_policy_follows_the_settings():
    policy = retry_policy(OrchestrationSettings(max_retries=2, retry_delay_seconds=3))
    assert (policy.max_retries, policy.delay, policy.backoff) == (2, 3, Backoff.EXPONENTIAL)
    assert [policy.calculate_delay(n) for n in (1, 2, 3)] == [3, 9, 21]


def test_conflicts_are_retried_then_given_up():
    calls = []

    def write(fail_times: int) -> None:
        calls.append(1)
        if len(calls) <= fail_times:
            raise ConcurrentAppendException("Files were added to partition [d=2024-01-01] by a concurrent update")

    with DagsterInstance.ephemeral() as instance:
        result = one_step_job(lambda: write(MAX_RETRIES)).execute_in_process(instance=instance)
        assert result.success and len(calls) == MAX_RETRIES + 1 and retries(result) == MAX_RETRIES
        calls.clear()
        result = one_step_job(lambda: write(MAX_RETRIES + 1)).execute_in_process(instance=instance,
                                                                                 raise_on_error=False)
    assert not result.success and len(calls) == MAX_RETRIES + 1


def test_data_errors_are_not_retried():
    calls = []

    def write() -> None:
        calls.append(1)
        raise ValueError("schema mismatch")

    with DagsterInstance.ephemeral() as instance:
        result = one_step_job(write).execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success and calls == [1] and retries(result) == 0
    [failure] = [e for e in result.all_events if e.event_type_value == DagsterEventType.STEP_FAILURE.value]
    assert failure.event_specific_data.user_failure_data.description.startswith("data error while writing")


def test_no_write_retries_on_its_own():
    """The policy is the only retry layer: no write path wraps itself in a retry loop."""
    for name in WRITES:
        assert getattr(getattr(DeltaTables, name), "__wrapped__", None) is None, name


def test_every_job_carries_the_retry_policy():
    from lakehouse_assets.definitions import defs

    jobs = [j for j in defs.resolve_all_job_defs() if not j.name.startswith("__")]
    assert jobs
    for job_def in jobs:
        policy = job_def.op_retry_policy
        assert policy is not None and policy.backoff is Backoff.EXPONENTIAL, job_def.name


@pytest.mark.slow  # runs of racing writers
def test_concurrent_first_writes_of_one_table_keep_every_row(spark, tmp_path):
    """Threads of one session commit independently, as two processes do: they race to create
    the table, then to write it; each write is a step of its own run, the losers' steps are
    retried by the policy and nothing is lost or overwritten."""
    tables = DeltaTables(spark, str(tmp_path))
    start = date(2024, 1, 1)
    days = [start + timedelta(days=i) for i in range(WRITERS)]

    def day_partition(day: date) -> None:
        frame = spark.createDataFrame([(day, f"row-{day}")], "d date, v string")
        tables.replace_window(frame, ["silver", "by_day"], "d", day, day + timedelta(days=1))

    def entity_group(n: int) -> None:
        frame = spark.createDataFrame([(f"E{n}", n * 10 + k) for k in range(2)], "entity string, sk long")
        tables.upsert_groups(frame, ["silver", "dim_entity"], row_key="sk", group_key="entity")

    def as_a_run(write: Callable[[], None]) -> int:
        with DagsterInstance.ephemeral() as instance:
            return retries(one_step_job(write).execute_in_process(instance=instance))

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        retried = sum(pool.map(as_a_run, [lambda day=day: day_partition(day) for day in days]))
        retried += sum(pool.map(as_a_run, [lambda n=n: entity_group(n) for n in range(WRITERS)]))
    assert sorted(r["d"] for r in tables.read(["silver", "by_day"]).collect()) == days
    assert sorted(r["sk"] for r in tables.read(["silver", "dim_entity"]).collect()) == [
        n * 10 + k for n in range(WRITERS) for k in range(2)]
    print(f"\n{retried} conflicting write(s) retried by the policy")
