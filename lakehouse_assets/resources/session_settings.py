"""Spark session settings for the length of a block, then back to what they were.

A run's steps share one session and run one after another on it, so a setting one write
needs (a layer's Parquet options, VACUUM's listing parallelism) is set around that write
and put back, leaving the session as the environment configured it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pyspark.sql import SparkSession


@contextmanager
def session_settings(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Run the block with `settings` on the session; unset or restore each one after it,
    whether the block succeeded or failed."""
    before = {name: spark.conf.get(name, None) for name in settings}
    for name, value in settings.items():
        spark.conf.set(name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                spark.conf.unset(name)
            else:
                spark.conf.set(name, value)
