"""OpenLineage settings of the Spark session (no JVM), and a run whose receiver is down.

The events themselves, on a whole-graph run, are asserted in
lakehouse_assets_tests/cluster/test_cluster_run.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace

import pytest

from lakehouse_assets.resources.lineage import LISTENER, TAG_KEYS, lineage_conf, receiver_answers
from lakehouse_assets.resources.spark import spark_conf
from lakehouse_assets.settings import PROJECT_ROOT, ConfigError, LineageSettings, load_settings


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings(monkeypatch, tmp_path):
    monkeypatch.delenv("LAKEHOUSE_OPENLINEAGE_URL", raising=False)
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lakehouse"))
    return load_settings("test")


def test_lineage_is_off_by_default(settings):
    assert not settings.lineage.enabled and "spark.extraListeners" not in spark_conf(settings)
    assert load_settings("local").lineage == LineageSettings()


def test_the_url_variable_turns_it_on_over_http(settings, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_OPENLINEAGE_URL", "http://marquez:5000")
    conf = spark_conf(load_settings("test"))
    assert conf["spark.extraListeners"] == LISTENER
    assert conf["spark.openlineage.transport.type"] == "http"
    assert conf["spark.openlineage.transport.url"] == "http://marquez:5000"
    assert conf["spark.openlineage.namespace"] == "lakehouse"
    assert set(TAG_KEYS) <= set(conf["spark.openlineage.capturedProperties"].split(","))
    assert not any(key.startswith("spark.openlineage.parent") for key in conf)  # see lineage.py


def test_enabled_without_a_url_appends_to_a_file_in_the_lakehouse(settings, tmp_path):
    conf = lineage_conf(replace(settings, lineage=LineageSettings(enabled=True)))
    assert conf["spark.openlineage.transport.type"] == "file"
    assert conf["spark.openlineage.transport.location"] == str(tmp_path / "lakehouse/_lineage/openlineage.jsonl")
    chosen = replace(settings, lineage=LineageSettings(enabled=True, file="/var/log/lineage.jsonl"))
    assert lineage_conf(chosen)["spark.openlineage.transport.location"] == "/var/log/lineage.jsonl"


def test_a_file_on_s3_is_refused_with_what_to_set(settings):
    on_s3 = replace(settings, lakehouse_root="s3://bucket/lakehouse", lineage=LineageSettings(enabled=True))
    with pytest.raises(ConfigError, match="LAKEHOUSE_OPENLINEAGE_URL .* or lineage.file"):
        lineage_conf(on_s3)


@pytest.mark.slow
def test_a_receiver_that_is_down_never_fails_a_run(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    assert not receiver_answers(url)
    env = {**os.environ, "LAKEHOUSE_ENV": "test", "LAKEHOUSE_ROOT": str(tmp_path / "lakehouse"),
           "LAKEHOUSE_OPENLINEAGE_URL": url}
    env.pop("DAGSTER_HOME", None)
    run = subprocess.run([sys.executable, "-m", "lakehouse_assets_tests.resources.lineage_child"], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "rows 3" in run.stdout
    assert f"the OpenLineage receiver {url} does not answer" in run.stderr
    assert "Could not emit lineage" not in run.stderr  # one warning, not a stack trace per event
