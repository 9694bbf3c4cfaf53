"""What makes a Spark JVM quicker to start and to talk to: the class archive `make install`
makes, mapped only when it exists for this class path, and the single-class imports that
spare py4j a search of every jar for each `F.col`."""

from __future__ import annotations

import pytest

from lakehouse_assets.resources import class_archive
from lakehouse_assets.resources.spark import SHORT_NAMES, spark_conf
from lakehouse_assets.settings import load_settings


@pytest.fixture
def archive_in(tmp_path, monkeypatch):
    monkeypatch.setattr(class_archive, "archive_dir", lambda: tmp_path)
    monkeypatch.delenv(class_archive.ARCHIVE_ENV, raising=False)
    return tmp_path


def test_no_archive_no_option(archive_in):
    assert class_archive.class_archive_options() == ""
    assert "SharedArchiveFile" not in spark_conf(load_settings("test"))["spark.driver.extraJavaOptions"]


def test_an_archive_for_this_class_path_is_mapped_quietly(archive_in):
    path = class_archive.class_archive()
    assert path.parent == archive_in and path.name.startswith("spark-") and path.suffix == ".jsa"
    path.write_bytes(b"")
    options = spark_conf(load_settings("test"))["spark.driver.extraJavaOptions"]
    # The environment's own options stay, the archive comes after them, and a JVM that cannot
    # use it says nothing on stdout.
    assert options.startswith("-Duser.timezone=UTC -XX:TieredStopAtLevel=1")
    assert options.endswith(f"-XX:SharedArchiveFile={path} {class_archive.QUIET}")


def test_the_archive_can_be_turned_off(archive_in, monkeypatch):
    class_archive.class_archive().write_bytes(b"")
    monkeypatch.setenv(class_archive.ARCHIVE_ENV, "off")
    assert class_archive.class_archive_options() == ""


@pytest.mark.parametrize("hook", ["-javaagent:/opt/apm.jar", "-XX:StartFlightRecording=filename=run.jfr"])
def test_not_with_a_class_file_load_hook(archive_in, hook):
    class_archive.class_archive().write_bytes(b"")
    assert class_archive.class_archive_options(f"-Duser.timezone=UTC {hook}") == ""


def test_another_jar_set_is_another_archive(archive_in, tmp_path_factory, monkeypatch):
    first = class_archive.class_archive()
    jars = tmp_path_factory.mktemp("jars")
    (jars / "delta-spark_2.12-9.9.9.jar").write_bytes(b"")
    monkeypatch.setenv("LAKEHOUSE_JAR_DIR", str(jars))
    assert class_archive.class_archive() != first


def test_short_names_are_classes_and_resolve(spark):
    for name in SHORT_NAMES:
        assert spark._jvm.java.lang.Class.forName(name).getName() == name
    assert spark._jvm.functions.lit(1).toString() == "1"


def test_the_default_driver_runs_the_throughput_collector():
    """The local environment keeps the default options: UTC and the parallel collector."""
    options = spark_conf(load_settings("local"))["spark.driver.extraJavaOptions"]
    assert options.startswith("-Duser.timezone=UTC -XX:+UseParallelGC")
