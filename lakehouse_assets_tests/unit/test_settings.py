"""Configuration files: an environment file holds only what differs from the one it extends (no JVM)."""

from __future__ import annotations

import pytest

from lakehouse_assets.settings import ConfigError, load_settings, merged


def test_shipped_environments_extend_local():
    local, s3, cluster, test = (load_settings(e) for e in ("local", "s3", "cluster", "test"))
    assert s3.lakehouse_root.startswith("s3://") and s3.orchestration.autostart and not local.orchestration.autostart
    assert s3.currencies == local.currencies and s3.orchestration.maintenance == local.orchestration.maintenance
    assert cluster.lakehouse_root == s3.lakehouse_root and cluster.spark.master.startswith("spark://")
    assert cluster.spark.driver_memory == local.spark.driver_memory
    assert (test.orchestration.max_retries, test.orchestration.retry_delay_seconds) == (2, 1.0)
    assert test.orchestration.daily_hour == local.orchestration.daily_hour


def test_nested_mappings_merge_key_by_key_and_lists_are_replaced():
    base = {"a": 1, "spark": {"master": "local[*]", "conf": {"x": "1"}}, "currencies": ["USD", "EUR"]}
    over = {"spark": {"conf": {"y": "2"}}, "currencies": ["USD"]}
    assert merged(base, over) == {"a": 1, "spark": {"master": "local[*]", "conf": {"x": "1", "y": "2"}},
                                  "currencies": ["USD"]}


def test_an_extends_cycle_or_missing_base_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "a.yaml").write_text("extends: b\n")
    (tmp_path / "b.yaml").write_text("extends: a\n")
    (tmp_path / "c.yaml").write_text("extends: nowhere\n")
    with pytest.raises(ConfigError, match=r"makes a cycle \(a -> b -> a\)"):
        load_settings("a")
    with pytest.raises(ConfigError, match="LAKEHOUSE_ENV='nowhere'"):
        load_settings("c")


def test_spark_master_is_overridden_by_the_environment(monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_SPARK_MASTER", "spark://127.0.0.1:7077")
    cluster, local = load_settings("cluster"), load_settings("local")
    assert cluster.spark.master == local.spark.master == "spark://127.0.0.1:7077"
    assert cluster.spark.shuffle_partitions == 64 and local.spark.driver_memory == "4g"
