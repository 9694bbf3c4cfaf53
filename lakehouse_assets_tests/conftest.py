"""Shared fixtures: one real SparkSession (local, Delta, UTC) and one reference lakehouse
for the whole test session, one moto S3 server."""

from __future__ import annotations

import os

import pytest
from pyspark.sql import SparkSession

from lakehouse_assets.resources.spark import build_spark_session
from lakehouse_assets.settings import load_settings
from lakehouse_assets_tests.pipeline import Reference, build_reference, shared_reference

# Masking keys for the suite's runs: test values, set before anything reads them
# (a test that needs other values sets its own with monkeypatch).
TEST_PII_KEYS = {
    "LAKEHOUSE_PII_HMAC_KEY": "test-hmac-key-0123456789abcdef0123456789abcdef",
    "LAKEHOUSE_PII_SALT": "test-salt-0123456789",
}
for _name, _value in TEST_PII_KEYS.items():
    os.environ.setdefault(_name, _value)
# The code location's definitions (retry policy, schedules) are built from config/test.yaml
# when the suite first imports them: retries wait a second, not half a minute.
os.environ.setdefault("LAKEHOUSE_ENV", "test")


@pytest.fixture(scope="session")
def spark() -> SparkSession:
    session = build_spark_session(load_settings("test"))
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(autouse=True, scope="module")
def _forget_module_tables():
    """Drop Delta's cached table states once a module's temporary lakehouses are gone.

    Delta caches the log state of every table it has read, in the executor's storage
    memory; over a whole suite that is thousands of tables no test will read again.
    A module that used no Spark starts none here: unit tests run without a JVM.
    """
    yield
    session = SparkSession.getActiveSession()
    if session is not None:
        session._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
        session.catalog.clearCache()


@pytest.fixture(scope="session")
def moto_s3():
    """One moto S3 server for the session (s3a caches its filesystem per bucket)."""
    from lakehouse_assets_tests.s3 import MotoS3

    with MotoS3() as server:
        yield server


@pytest.fixture(scope="session")
def reference(spark, tmp_path_factory, worker_id) -> Reference:
    """The clean reference lakehouse (pipeline.py), built once for every test that reads it.

    Under pytest-xdist the first worker that needs it builds it in the run's shared temporary
    folder while the others wait on a file lock, then every worker reads the same folder
    (tests change only copies of it)."""
    if worker_id == "master":
        return build_reference(spark, tmp_path_factory.mktemp("reference"))
    return shared_reference(spark, tmp_path_factory.getbasetemp().parent / "reference")

