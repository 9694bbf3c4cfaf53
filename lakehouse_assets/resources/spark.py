"""The one SparkSession of a run, built from `config/<env>.yaml` when the run starts.

Assets and IO managers never build a session themselves: they take the
`SparkResource`, so every run gets the same Delta extensions, jar classpath,
time zone and S3 settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from dagster import (
    ConfigurableResource,
    DagsterInvariantViolationError,
    InitResourceContext,
    OpExecutionContext,
    TimeWindowPartitionsDefinition,
)
from dagster_pyspark.resources import spark_session_from_config
from py4j.java_gateway import java_import
from pydantic import PrivateAttr
from pyspark import SparkContext
from pyspark.sql import SparkSession

from lakehouse_assets.resources.aws_env import AwsEnvironment
from lakehouse_assets.resources.class_archive import class_archive_options
from lakehouse_assets.resources.input_size import MB, input_is_small, step_conf
from lakehouse_assets.resources.jvm import check_java, spark_jars
from lakehouse_assets.resources.lineage import lineage_conf, lineage_on, quiet_listener_logs, step_tags, tag_session
from lakehouse_assets.resources.secrets import SPARK_REDACTION_REGEX
from lakehouse_assets.resources.settings import LakehouseSettings
from lakehouse_assets.settings import Settings

HADOOP_PREFIX = "spark.hadoop."
# Which step's input the session's settings were sized for (`SparkResource._size_step`).
SIZED_STEP = "lakehouse.sizedForStep"
# Static, but not registered as SQL settings: Spark cannot tell they are static.
STATIC_SQL_PREFIXES = ("spark.sql.extensions", "spark.sql.catalog.spark_catalog", "spark.sql.warehouse")


def s3a_conf(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """s3a settings from the standard AWS environment, so one code path serves AWS and
    any S3-compatible endpoint. Credentials are only referenced, never copied to config."""
    conf = {
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.aws.credentials.provider": ",".join([
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
            "com.amazonaws.auth.InstanceProfileCredentialsProvider",
        ]),
        # Delta on S3 is single-writer per table: see docs/operations.md.
        "spark.delta.logStore.s3a.impl": "io.delta.storage.S3SingleDriverLogStore",
    }
    aws = AwsEnvironment.read(environ)
    if aws.endpoint:
        conf["spark.hadoop.fs.s3a.endpoint"] = aws.endpoint
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(not aws.plain_http).lower()
    if aws.region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = aws.region
    if aws.has_keys:
        conf["spark.hadoop.fs.s3a.access.key"] = aws.access_key
        conf["spark.hadoop.fs.s3a.secret.key"] = aws.secret_key
        if aws.session_token:
            conf["spark.hadoop.fs.s3a.session.token"] = aws.session_token
    return conf


def spark_conf(settings: Settings) -> dict[str, Any]:
    """Every Spark setting of a run, in one dict (what the UI and tests can inspect)."""
    conf: dict[str, Any] = {
        "spark.master": settings.spark.master,
        "spark.app.name": f"lakehouse-{settings.env}",
        "spark.driver.memory": settings.spark.driver_memory,
        "spark.jars": ",".join(spark_jars()),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.session.timeZone": "UTC",
        # The throughput collector: a run is batch work with no pause target, and on 2 cores
        # G1's concurrent work competes with the tasks (docs/performance.md: the 1 GB day's
        # daily run 475.9 s against 540.7 s, bronze 44 s against 48 s).
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC -XX:+UseParallelGC",
        "spark.sql.shuffle.partitions": str(settings.spark.shuffle_partitions),
        "spark.default.parallelism": str(settings.spark.shuffle_partitions),
        # Delta replays a table's log with this many tasks (50 by default). Logs are
        # short (a checkpoint every 10 commits), so one task is fastest; raise it in
        # config for tables with very long logs.
        "spark.databricks.delta.snapshotPartitions": "1",
        # Delta 3.3 lists a small table's files in each commit's .crc, which costs a Spark job
        # on a table's first commit, and reads that list nowhere: one query fewer per new table.
        "spark.databricks.delta.allFilesInCrc.enabled": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Secrets stay out of the Spark UI, event log and error messages.
        "spark.redaction.regex": SPARK_REDACTION_REGEX,
    }
    conf.update(s3a_conf())
    conf.update(settings.s3_encryption.s3a_conf())
    conf.update(lineage_conf(settings))
    conf.update(settings.spark.conf)
    java_options = conf["spark.driver.extraJavaOptions"]
    archive = class_archive_options(java_options)  # classes already parsed and verified: a quicker start
    if archive:
        conf["spark.driver.extraJavaOptions"] = f"{java_options} {archive}"
    return conf


def build_spark_session(settings: Settings, conf: dict[str, Any] | None = None) -> SparkSession:
    """Start (or join) the process's SparkSession with the settings of this run
    (`conf`: `spark_conf(settings)`, when the caller has it already).

    A JVM already running in this process (tests, `lakehouse run`'s later runs) is
    reused; the run's SQL and Hadoop settings (S3 endpoint, credentials) are applied
    to it again, so each run sees the configuration of its own start.
    """
    if SparkContext._active_spark_context is None:
        check_java()  # a `java -version` subprocess: only worth it before the JVM starts
    conf = conf if conf is not None else spark_conf(settings)
    session = spark_session_from_config(conf)
    import_short_names(session)
    if lineage_on(settings):
        quiet_listener_logs(session, settings)
    hadoop = session.sparkContext._jsc.hadoopConfiguration()
    # Static SQL settings (extensions, catalog, codegen cache size) apply only when the JVM
    # starts; setting one on a running session is an error.
    sql_conf = session._jvm.org.apache.spark.sql.internal.SQLConf
    for key, value in conf.items():
        if key.startswith(HADOOP_PREFIX):
            hadoop.set(key[len(HADOOP_PREFIX):], str(value))
        elif key.startswith("spark.sql.") and not (key.startswith(STATIC_SQL_PREFIXES)
                                                   or sql_conf.isStaticConfigKey(key)):
            session.conf.set(key, str(value))
    return session


# Classes PySpark names without their package (`functions` behind every `F.col`, `F.lit`,
# `F.when`). py4j resolves such a name by trying each package PySpark star-imports, and every
# miss searches all ~250 jars of the class path: a run's tens of thousands of expressions
# made that about a tenth of the JVM's CPU. A single-class import is found at once.
SHORT_NAMES = (
    "org.apache.spark.sql.functions",
    "org.apache.spark.sql.api.python.PythonSQLUtils",
    "org.apache.spark.api.python.PythonUtils",
    "org.apache.spark.api.python.PythonRDD",
    "org.apache.spark.api.python.SerDeUtil",
)


def import_short_names(session: SparkSession) -> None:
    for name in SHORT_NAMES:
        java_import(session._jvm, name)


class SparkResource(ConfigurableResource):
    """The run's SparkSession, built once when the run starts from the `lakehouse` settings."""

    lakehouse: LakehouseSettings

    _session: SparkSession | None = PrivateAttr(default=None)
    _lineage: bool = PrivateAttr(default=False)
    _conf: dict[str, Any] = PrivateAttr(default_factory=dict)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._conf = spark_conf(self.settings)
        self._session = build_spark_session(self.settings, self._conf)
        self._session.sparkContext.setLogLevel("WARN")
        self._lineage = lineage_on(self.settings)
        if self._lineage and context.run is not None:
            tag_session(self._session, step_tags(context.run_id, context.run.job_name))

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        # The JVM outlives the run (tests and `lakehouse run` reuse it); cached
        # DataFrames of this run must not.
        if self._session is not None:
            self._session.catalog.clearCache()

    @property
    def settings(self) -> Settings:
        return self.lakehouse.settings

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._conf = spark_conf(self.settings)
            self._session = build_spark_session(self.settings, self._conf)
        try:
            step = OpExecutionContext.get()
        except DagsterInvariantViolationError:  # outside a step: nothing is step-specific
            step = None
        if step is not None:
            if self._lineage:
                self._tag_step(step)
            # On the session, not on this object: the IO managers hold copies of the resource.
            sized = f"{step.run_id}/{step.op.name}"
            if self.settings.spark.small_input.max_mb > 0 and self._session.conf.get(SIZED_STEP, None) != sized:
                self._session.conf.set(SIZED_STEP, sized)
                self._size_step(step)
        return self._session

    def _tag_step(self, step: OpExecutionContext) -> None:
        """Lineage events from here on carry the run, job, step and assets of the step asking
        for the session (assets and IO managers ask at a step's start)."""
        assets = tuple(sorted("/".join(key.path) for key in step.selected_asset_keys)) if step.has_assets_def else ()
        tag_session(self._session, step_tags(step.run_id, step.job_name, step.op.name, assets))

    def _size_step(self, step: OpExecutionContext) -> None:
        """The small-input settings for a step over a small input, else the environment's own
        (`resources/input_size.py`), once per step."""
        small, measured = input_is_small(self.settings, step_days(step))
        if not self._conf:  # a copy of the resource that did not start the session
            self._conf = spark_conf(self.settings)
        for key, value in step_conf(self.settings, self._conf, small).items():
            if value is None:
                self._session.conf.unset(key)
            else:
                self._session.conf.set(key, str(value))
        if small and measured is not None:
            small_input = self.settings.spark.small_input
            step.log.info(f"small input: {measured / MB:.2f} MB of landing files (at most {small_input.max_mb:g} MB), "
                          f"so this step runs with spark.small_input.conf {dict(small_input.conf)}")


def step_days(step: OpExecutionContext) -> list[date] | None:
    """The dates of a step's partition or partition range; None for a step without dates."""
    partitions = step.assets_def.partitions_def if step.has_assets_def else None
    if not isinstance(partitions, TimeWindowPartitionsDefinition) or not (
            step.has_partition_key or step.has_partition_key_range):
        return None
    window = step.partition_time_window
    start, end = window.start.date(), window.end.date()
    return [start + timedelta(days=i) for i in range((end - start).days)]
