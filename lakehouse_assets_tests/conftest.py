"""Shared fixtures: one real SparkSession (local, Delta, UTC) for the whole test session."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from lakehouse_assets.resources.spark import build_spark_session
from lakehouse_assets.settings import load_settings


@pytest.fixture(scope="session")
def spark() -> SparkSession:
    session = build_spark_session(load_settings("test"))
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(scope="session")
def moto_s3():
    """One moto S3 server for the session (s3a caches its filesystem per bucket)."""
    from lakehouse_assets_tests.s3 import MotoS3

    with MotoS3() as server:
        yield server
