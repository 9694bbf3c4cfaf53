"""A failed step or run reduced to the one line a person needs, for the CLI and the alerts.

Spark errors arrive as a Python error wrapping a py4j error wrapping a JVM stack
trace; the telling line is the innermost JVM exception's. A `dagster.Failure`
already says what went wrong in its description.
"""

from __future__ import annotations

import re

from dagster import DagsterEvent

_JAVA_ERROR = re.compile(r"^[:\s]*((?:[a-z]\w*\.)+\w*(?:Exception|Error)\b.*)")


def root_cause(error) -> str:
    """The innermost error's most telling line (for Spark, the JVM exception's)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = [line.strip() for line in (error.message or "").splitlines() if line.strip()]
    for line in lines:
        match = _JAVA_ERROR.match(line)
        if match and not line.startswith("py4j."):  # py4j's own line only names the call
            return match.group(1)
    return lines[0] if lines else error.cls_name or "unknown error"


def step_error(event: DagsterEvent) -> str:
    """A failed step's reason: a `Failure`'s description, else the innermost error's line."""
    data = event.event_specific_data
    described = getattr(getattr(data, "user_failure_data", None), "description", None)
    if described:
        return described
    error = getattr(data, "error", None)
    if error is None:
        return event.message or "unknown error"
    cause = root_cause(error)
    first = (error.message or "").strip().splitlines()[0] if error.message else ""
    return f"{first.rstrip('.')} - {cause}" if first.startswith("Exceeded max_retries") else cause
