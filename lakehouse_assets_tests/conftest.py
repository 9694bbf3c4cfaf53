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
