"""Bounded retry for Delta's optimistic-concurrency conflicts.

Two runs writing different partitions of one table can both commit; when Delta
detects a real or conservative conflict it raises a `Concurrent...Exception`.
Retrying the whole write is safe because every write mode is idempotent.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from typing import Callable, TypeVar

T = TypeVar("T")

MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 0.5
_CONFLICTS = (
    "ConcurrentAppendException", "ConcurrentDeleteReadException", "ConcurrentDeleteDeleteException",
    "ConcurrentTransactionException", "ConcurrentWriteException", "MetadataChangedException",
    "ProtocolChangedException",
)
log = logging.getLogger(__name__)


def is_conflict(error: BaseException) -> bool:
    text = f"{type(error).__name__}: {error}"
    return any(name in text for name in _CONFLICTS)


def retry_on_conflict(write: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(write)
    def wrapper(*args, **kwargs) -> T:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except Exception as error:  # py4j wraps JVM errors; match on the class name
                if attempt == MAX_ATTEMPTS or not is_conflict(error):
                    raise
                delay = BASE_DELAY_SECONDS * 2 ** (attempt - 1) * (1 + random.random())
                log.warning("Delta write conflict (attempt %d/%d), retrying in %.1fs: %s",
                            attempt, MAX_ATTEMPTS, delay, str(error).splitlines()[0])
                time.sleep(delay)
        raise AssertionError("unreachable")

    return wrapper
