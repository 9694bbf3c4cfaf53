"""A failed step or run reduced to the one line a person needs, for the CLI and the alerts.

Spark errors arrive as a Python error wrapping a py4j error wrapping a JVM stack
trace; the telling line is the innermost JVM exception's. A `dagster.Failure`
already says what went wrong in its description.
"""

from __future__ import annotations

import re

from dagster import DagsterEvent, DagsterInvalidConfigError

_JAVA_ERROR = re.compile(r"^[:\s]*((?:[a-z]\w*\.)+\w*(?:Exception|Error)\b.*)")
# How Dagster words an `EnvVar` whose variable is not set when a run's config is resolved.
_UNSET_VARIABLE = re.compile(r'environment variable "([A-Za-z_][A-Za-z0-9_]*)" which is not set')


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


def config_error(error: DagsterInvalidConfigError) -> str:
    """Why a run's configuration was refused, in one sentence: the unset environment
    variables it needs by name (a resource's `EnvVar`, such as the PII masking keys), else
    Dagster's own messages without their traceback."""
    unset = sorted(set(_UNSET_VARIABLE.findall(str(error))))
    if unset:
        one = len(unset) == 1
        hint = "docs/security.md lists each variable"
        if any(name.startswith("LAKEHOUSE_PII_") for name in unset):
            hint += ("; `make run` and `make ui` write local masking keys to .cache/pii-keys.env, "
                     "exported with `set -a; . .cache/pii-keys.env; set +a`")
        return (f"{', '.join(unset)} {'is' if one else 'are'} not set: the run's resources read "
                f"{'it' if one else 'them'} from the environment ({hint})")
    messages = [e.message.strip() for e in getattr(error, "errors", [])] or [str(error).strip().splitlines()[0]]
    return "; ".join(" ".join(m.split()) for m in messages)
