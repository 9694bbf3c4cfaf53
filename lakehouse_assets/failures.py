"""Which failures are worth retrying: transient infrastructure errors versus data errors.

A transient error (S3 throttling / 503 SlowDown, a reset or timed-out connection, a
lost Spark executor) usually goes away: the step raises `RetryRequested` and Dagster
runs it again after a growing delay. A data error (a schema that does not match the
table, rows outside the partition being written, a missing upstream table) fails the
same way every time: the step raises `Failure(allow_retries=False)` at once, with the
reason in its description. Anything else is raised unchanged (no retry, full trace).

Dagster 1.13 applies `RetryRequested` and `Failure` the same way whether the body of
an asset or op raises them or an IO manager's `handle_output` / `load_input` does
(both run inside its op error boundary), so one helper serves both.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from enum import Enum
from typing import Iterator

from dagster import DagsterError, Failure, RetryRequested, get_dagster_logger

from lakehouse_assets.settings import OrchestrationSettings

MAX_REASON_CHARS = 500


class Kind(str, Enum):
    TRANSIENT = "transient"
    DATA = "data"
    UNKNOWN = "unknown"


# Matched against the type names and messages of an error and its causes. Spark's
# errors reach Python as Py4JJavaError whose message holds the JVM exception chain.
_TRANSIENT = re.compile(
    r"SlowDown|Throttl|\b503\b|Service ?Unavailable|RequestLimitExceeded|TooManyRequests|"
    r"RequestTimeout|Connection reset|ConnectionReset|Broken pipe|EndpointConnectionError|"
    r"ConnectTimeout|ReadTimeout|Read timed out|SocketTimeoutException|NoHttpResponseException|"
    r"Unable to execute HTTP request|ConnectionClosedError|ExecutorLostFailure|"
    r"Executor (?:\d+ )?lost|FetchFailedException|"
    r"Concurrent(?:Append|DeleteRead|DeleteDelete|Transaction|Write)Exception",
    re.IGNORECASE,
)
_DATA = re.compile(
    r"AnalysisException|DELTA_REPLACE_WHERE_MISMATCH|DELTA_FAILED_TO_MERGE_FIELDS|"
    r"schema mismatch|SchemaError|SchemaErrors|NumberFormatException|DateTimeException|"
    r"ArithmeticException|CAST_INVALID_INPUT|MalformedInput|ParseException|does not exist at",
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


def classify(error: BaseException) -> Kind:
    """TRANSIENT, DATA or UNKNOWN, from the error and every error it was raised from."""
    chain = list(_chain(error))
    if any(isinstance(e, _TRANSIENT_TYPES) or _TRANSIENT.search(_text(e)) for e in chain):
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


def retry_delay(policy: OrchestrationSettings, attempt: int) -> float:
    """Seconds before retry `attempt + 1`: the configured delay, doubled per attempt."""
    return policy.retry_delay_seconds * 2 ** max(attempt, 0)


@contextmanager
def classified_failures(what: str, policy: OrchestrationSettings, attempt: int = 0) -> Iterator[None]:
    """Turn an error raised while doing `what` into a retry (transient) or a fast failure (data).

    `attempt` is the number of earlier attempts of the step (for the backoff)."""
    try:
        yield
    except (DagsterError, RetryRequested, Failure):
        raise  # already Dagster's control flow
    except Exception as error:
        kind = classify(error)
        if kind is Kind.TRANSIENT:
            delay = retry_delay(policy, attempt)
            get_dagster_logger().warning(
                f"transient error while {what} (attempt {attempt + 1} of {policy.max_retries + 1}), "
                f"retrying in {delay:.0f}s: {reason(error)}")
            raise RetryRequested(max_retries=policy.max_retries, seconds_to_wait=delay) from error
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
