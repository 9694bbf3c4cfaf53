"""Secret names are covered by Spark's redaction pattern, and Spark applies it."""

from __future__ import annotations

import re

from lakehouse_assets.resources.secrets import SECRET_ENV_VARS, SECRET_SPARK_KEYS, SPARK_REDACTION_REGEX
from lakehouse_assets.resources.spark import spark_conf
from lakehouse_assets.settings import load_settings


def test_redaction_pattern_covers_every_secret_name():
    pattern = re.compile(SPARK_REDACTION_REGEX)
    missed = [name for name in (*SECRET_ENV_VARS, *SECRET_SPARK_KEYS) if not pattern.search(name)]
    assert missed == []
    assert not pattern.search("spark.sql.shuffle.partitions")


def test_every_session_is_built_with_the_pattern():
    assert spark_conf(load_settings("test"))["spark.redaction.regex"] == SPARK_REDACTION_REGEX


def test_the_jvm_redacts_secret_settings(spark):
    """Spark's own redaction (what the UI and event log use) hides the values."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.sc().conf()
    pairs = [("spark.hadoop.fs.s3a.secret.key", "canary-1"), ("spark.lakehouse.pii_hmac_key", "canary-2"),
             ("spark.sql.shuffle.partitions", "4")]
    seq = jvm.scala.collection.JavaConverters.asScalaBufferConverter(
        [jvm.scala.Tuple2(k, v) for k, v in pairs]).asScala().toSeq()
    redacted = {t._1(): t._2() for t in jvm.scala.collection.JavaConverters.seqAsJavaListConverter(
        jvm.org.apache.spark.util.Utils.redact(conf, seq)).asJava()}
    assert redacted["spark.hadoop.fs.s3a.secret.key"] != "canary-1"
    assert redacted["spark.lakehouse.pii_hmac_key"] != "canary-2"
    assert redacted["spark.sql.shuffle.partitions"] == "4"
