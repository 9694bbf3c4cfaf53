"""The project's one retry layer: the jobs' `RetryPolicy`, and which failures it may retry.

Every job carries `op_retry_policy=retry_policy(settings)`: a failed step runs again
after `retry_delay_seconds`, then 3 and 7 times that (Dagster's exponential backoff),
at most `max_retries` times. Nothing else retries (no loop around a write): a retried
step recomputes its asset and rewrites it, which every write mode makes idempotent.

`classified_failures` tells the policy what not to retry:
- a transient error (S3 throttling / 503 SlowDown, a reset or timed-out connection, a
  lost Spark executor, a Delta concurrent-commit conflict) usually goes away: it is
  raised as a retryable `Failure` whose description says what happened;
- a data error (a schema that does not match the table, rows outside the partition
  being written, a missing upstream table) or a lakehouse root where a table cannot be
  created (a file in its place) fails the same way every time: it is raised as
  `Failure(allow_retries=False)`, which the policy never retries;
- anything else is raised unchanged (full trace); the policy retries it like any
  other step failure.

Dagster 1.13 applies the policy and `Failure` the same way whether the body of an
asset or op raises them or an IO manager's `handle_output` / `load_input` does (both
run inside its op error boundary), so one helper serves both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from dagster import Backoff, DagsterError, Failure, RetryPolicy, RetryRequested, get_dagster_logger

from lakehouse_assets.settings import OrchestrationSettings, Settings

MAX_REASON_CHARS = 500


class Kind(str, Enum):
    TRANSIENT = "transient"
    DATA = "data"
    UNKNOWN = "unknown"


# Matched against the type names and messages of an error and its causes. Spark's
# errors reach Python as Py4JJavaError whose message holds the JVM exception chain.
# Delta's optimistic concurrency: another writer committed first (ProtocolChanged: two
# writers created one table). Every write mode is idempotent, so the step can run again.
_CONFLICT = re.compile(
    r"Concurrent(?:Append|DeleteRead|DeleteDelete|Transaction|Write)Exception|"
    r"MetadataChangedException|ProtocolChangedException|"
    r"DELTA_CONCURRENT_\w+|DELTA_METADATA_CHANGED|DELTA_PROTOCOL_CHANGED"
)
_TRANSIENT = re.compile(
    r"SlowDown|Throttl|\b503\b|Service ?Unavailable|RequestLimitExceeded|TooManyRequests|"
    r"RequestTimeout|Connection reset|ConnectionReset|Broken pipe|EndpointConnectionError|"
    r"ConnectTimeout|ReadTimeout|Read timed out|SocketTimeoutException|NoHttpResponseException|"
    r"Unable to execute HTTP request|ConnectionClosedError|ExecutorLostFailure|"
    r"Executor (?:\d+ )?lost|FetchFailedException",
    re.IGNORECASE,
)
# How a table's first write words a row outside the window it writes (Delta's own
# replaceWhere check, DELTA_REPLACE_WHERE_MISMATCH, covers every later write).
OUTSIDE_WINDOW = "rows outside the window being written to"
_DATA = re.compile(
    rf"{OUTSIDE_WINDOW}|AnalysisException|DELTA_REPLACE_WHERE_MISMATCH|DELTA_FAILED_TO_MERGE_FIELDS|"
    r"schema mismatch|SchemaError|SchemaErrors|NumberFormatException|DateTimeException|"
    r"ArithmeticException|CAST_INVALID_INPUT|MalformedInput|ParseException|does not exist at|"
    r"DELTA_CANNOT_CREATE_LOG_PATH|ParentNotDirectoryException|Not a directory",
    re.IGNORECASE,
)
_TRANSIENT_TYPES = (ConnectionError, TimeoutError)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _text(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__name__}: {error}"


def is_conflict(error: BaseException) -> bool:
    """Whether the error (or one it was raised from) is a Delta concurrent-commit conflict."""
    return any(_CONFLICT.search(_text(e)) for e in _chain(error))


def classify(error: BaseException) -> Kind:
    """TRANSIENT, DATA or UNKNOWN, from the error and every error it was raised from."""
    chain = list(_chain(error))
    if is_conflict(error) or any(isinstance(e, _TRANSIENT_TYPES) or _TRANSIENT.search(_text(e)) for e in chain):
        return Kind.TRANSIENT
    if any(_DATA.search(_text(e)) for e in chain):
        return Kind.DATA
    return Kind.UNKNOWN


def reason(error: BaseException) -> str:
    """The most telling line: for Spark, the JVM exception's own line rather than py4j's."""
    lines = [line.strip(": \t") for e in _chain(error) for line in str(e).splitlines() if line.strip(": \t")]
    for line in lines:
        if re.match(r"^(?:[a-z]\w*\.)+\w*(?:Exception|Error)\b", line) and not line.startswith("py4j."):
            return line[:MAX_REASON_CHARS]
    first = lines[0] if lines else type(error).__name__
    return f"{type(error).__name__}: {first}"[:MAX_REASON_CHARS]


def retry_policy(settings: Settings | OrchestrationSettings) -> RetryPolicy:
    """The jobs' retry policy: `orchestration.max_retries` retries, the first after
    `orchestration.retry_delay_seconds`, then 3x, 7x ... that (exponential backoff)."""
    orchestration = getattr(settings, "orchestration", settings)
    return RetryPolicy(max_retries=orchestration.max_retries, delay=orchestration.retry_delay_seconds,
                       backoff=Backoff.EXPONENTIAL)


@contextmanager
def classified_failures(what: str, policy: OrchestrationSettings, attempt: int = 0) -> Iterator[None]:
    """Raise an error met while doing `what` as one the jobs' retry policy retries
    (transient) or never retries (data); anything else unchanged.

    `policy` and `attempt` (the number of earlier attempts of the step) only word the log."""
    try:
        yield
    except (DagsterError, RetryRequested, Failure):
        raise  # already Dagster's control flow
    except Exception as error:
        kind = classify(error)
        if kind is Kind.TRANSIENT:
            label = "Delta write conflict" if is_conflict(error) else "transient error"
            if attempt < policy.max_retries:
                delay = retry_policy(policy).calculate_delay(attempt + 1)
                then = f"the job's retry policy runs the step again in {delay:.0f}s"
            else:
                then = "no retry left"
            get_dagster_logger().warning(
                f"{label} while {what} (attempt {attempt + 1} of {policy.max_retries + 1}), {then}: "
                f"{reason(error)}")
            raise Failure(
                description=f"{label} while {what}, retryable: {reason(error)}",
                metadata={"error_kind": Kind.TRANSIENT.value, "error_type": type(error).__name__},
                allow_retries=True,
            ) from error
        if kind is Kind.DATA:
            raise Failure(
                description=f"data error while {what}, not retried: {reason(error)}",
                metadata={"error_kind": Kind.DATA.value, "error_type": type(error).__name__},
                allow_retries=False,
            ) from error
        raise


def attempt_number(context) -> int:
    """Earlier attempts of the step an asset, op or IO-manager context belongs to (0 if unknown)."""
    value = getattr(context, "retry_number", None)
    if isinstance(value, int):
        return value
    try:
        return int(context.step_context.previous_attempt_count)
    except Exception:  # a context built outside a run (direct invocation) has no step
        return 0
