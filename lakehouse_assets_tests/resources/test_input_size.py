"""Spark settings sized to a step's input (`resources/input_size.py`): the landing bytes of the
step's dates decide, per step, between `spark.small_input.conf` and the environment's own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dagster import DailyPartitionsDefinition, asset, materialize

from lakehouse_assets.resources.input_size import input_is_small, landing_bytes, step_conf
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.resources.spark import SparkResource, build_spark_session
from lakehouse_assets.settings import ConfigError, load_settings, settings_from_mapping

D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)
SMALL_CONF = {"spark.sql.shuffle.partitions": "1", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


def land(root: Path, source: str, day: date, size: int, name: str = "a.csv") -> None:
    folder = root / source / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"x" * size)


def settings(tmp_path: Path, max_mb: float, conf: dict | None = None):
    return settings_from_mapping("x", {
        "landing_root": str(tmp_path / "landing"), "lakehouse_root": str(tmp_path / "lakehouse"),
        "spark": {"shuffle_partitions": 3,
                  "small_input": {"max_mb": max_mb, "conf": SMALL_CONF if conf is None else conf}},
    })


def test_landing_bytes_adds_the_dates_files_of_every_source_and_stops_past_the_limit(tmp_path):
    root = tmp_path / "landing"
    land(root, "orders", D1, 1000)
    land(root, "orders", D1, 500, "b.csv")
    land(root, "customers", D1, 200)
    land(root, "orders", D2, 4000)
    land(root, "customers", D3, 7)
    (root / "orders" / f"date={D1.isoformat()}" / "_SUCCESS").write_bytes(b"marker")
    assert landing_bytes(str(root), [D1], limit=10_000) == 1700
    assert landing_bytes(str(root), [D1, D2, D3], limit=10_000) == 5707
    # Orders alone are past the limit: the other sources are not listed.
    assert landing_bytes(str(root), [D1, D2, D3], limit=1000) == 5500
    assert landing_bytes(str(root), [date(2030, 1, 1)], limit=10) == 0


def test_archived_files_of_the_dates_count(tmp_path):
    root = tmp_path / "landing"
    land(root, "orders", D1, 300)
    land(root / "_archive", "orders", D1, 900, "old.csv")
    assert landing_bytes(str(root), [D1], limit=10_000) == 1200


def test_a_step_is_small_up_to_the_limit_and_never_without_dates_or_when_off(tmp_path):
    land(tmp_path / "landing", "orders", D1, 1000)
    land(tmp_path / "landing", "orders", D2, 3000)
    limit_mb = 2000 / (1024 * 1024)
    assert input_is_small(settings(tmp_path, limit_mb), [D1]) == (True, 1000)
    assert input_is_small(settings(tmp_path, limit_mb), [D2]) == (False, 3000)
    assert input_is_small(settings(tmp_path, limit_mb), [D1, D2]) == (False, 4000)
    assert input_is_small(settings(tmp_path, limit_mb), None) == (False, None)
    assert input_is_small(settings(tmp_path, 0), [D1]) == (False, None)
    assert input_is_small(settings(tmp_path, limit_mb, conf={}), [D1]) == (False, None)


def test_a_large_step_gets_the_environments_own_values_back_or_sparks_default(tmp_path):
    s = settings(tmp_path, 1)
    base = {"spark.sql.shuffle.partitions": "3"}
    assert step_conf(s, base, small=True) == SMALL_CONF
    assert step_conf(s, base, small=False) == {"spark.sql.shuffle.partitions": "3",
                                               "spark.sql.codegen.factoryMode": None}


def test_only_runtime_sql_settings_are_accepted():
    with pytest.raises(ConfigError, match=r"spark\.small_input\.conf: .*only spark\.sql\.\* settings.*spark\.driver"):
        settings_from_mapping("x", {"landing_root": "l", "lakehouse_root": "h",
                                    "spark": {"small_input": {"max_mb": 1, "conf": {"spark.driver.memory": "1g"}}}},
                              "x.yaml")


def test_the_shipped_local_environment_sizes_steps_and_the_test_environment_does_not():
    local, test = load_settings("local"), load_settings("test")
    assert local.spark.small_input.max_mb > 0
    assert local.spark.small_input.conf["spark.sql.codegen.wholeStage"] == "false"
    assert test.spark.small_input.max_mb == 0


SEEN: dict[str, tuple] = {}


@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def sized(context, spark: SparkResource) -> None:
    conf = spark.session.conf
    SEEN[context.partition_key] = tuple(conf.get(k) for k in SMALL_CONF)


@pytest.fixture
def config_dir(spark, tmp_path, monkeypatch):
    """A config dir with environment `x`: steps at most 2,000 landing bytes are small."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        f"landing_root: {tmp_path / 'landing'}\nlakehouse_root: {tmp_path / 'lakehouse'}\n"
        "spark:\n  master: local[2]\n  shuffle_partitions: 3\n  small_input:\n"
        f"    max_mb: {2000 / (1024 * 1024)!r}\n    conf:\n"
        + "".join(f"      {k}: {v}\n" for k, v in SMALL_CONF.items()))
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(folder))
    for name in ("LAKEHOUSE_ROOT", "LAKEHOUSE_LANDING_ROOT"):
        monkeypatch.delenv(name, raising=False)
    yield folder
    monkeypatch.undo()
    build_spark_session(load_settings("test"))  # the suite's own settings back on the shared session


def test_each_step_runs_with_the_settings_its_input_calls_for(config_dir, tmp_path):
    land(tmp_path / "landing", "orders", D1, 500)
    land(tmp_path / "landing", "orders", D2, 5000)
    resources = {"spark": SparkResource(lakehouse=LakehouseSettings(env="x"))}
    for day in (D1, D2, D1, D3):
        result = materialize([sized], partition_key=day.isoformat(), resources=resources)
        assert result.success
    assert SEEN[D1.isoformat()] == ("1", "NO_CODEGEN")
    # Past the limit: the environment's 3 partitions and Spark's own expression compiling.
    assert SEEN[D2.isoformat()] == ("3", "FALLBACK")
    # Nothing landed: as small as it gets.
    assert SEEN[D3.isoformat()] == ("1", "NO_CODEGEN")
