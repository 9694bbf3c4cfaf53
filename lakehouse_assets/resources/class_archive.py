"""A class-data-sharing archive of the Spark driver JVM, made once by `make install`.

A Spark JVM loads and verifies many thousands of classes (Spark SQL, Hadoop, Delta)
before its first query, which costs several CPU-seconds per start. Every `lakehouse run`,
every run the Dagster daemon or webserver launches and every test subprocess starts one.
Java's AppCDS maps classes already parsed and verified from an archive instead: measured
on a 2-core machine, start plus a first Delta write and read fell from about 29 to 20
JVM CPU-seconds (docs/performance.md).

The archive holds classes loaded from the driver's class path (Spark's jars in the
pyspark wheel; Delta's come through `spark.jars` and are not in it), so it is only valid
for that class path: its file name carries a
fingerprint of the pyspark install and the jar cache, and `spark_conf` maps it only if
it exists (`class_archive_options`). A JVM that cannot use it (another Java build)
starts as before, silently. `LAKEHOUSE_JVM_ARCHIVE=off` turns it off; a Java agent or a
flight recording in the driver's options does too.

    python -m lakehouse_assets.resources.class_archive [--force]

runs a small representative workload (CSV read, typed transforms, window, join, Delta
writes, replaceWhere, MERGE, reads) in a child process whose JVM writes the archive
when it exits.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from lakehouse_assets.resources.jvm import jar_dir
from lakehouse_assets.settings import PROJECT_ROOT, load_settings

ARCHIVE_ENV = "LAKEHOUSE_JVM_ARCHIVE"
# Without these a JVM that cannot map the archive (another Java build) prints a warning on stdout.
QUIET = "-Xlog:cds=off,cds+dynamic=off"
# JVM options that install a class-file load hook at start (see class_archive_options).
CLASS_HOOKS = ("-javaagent", "-agentlib", "-agentpath", "StartFlightRecording")


def archive_dir() -> Path:
    return PROJECT_ROOT / ".cache" / "jvm"


def class_archive() -> Path:
    """Where the archive for this pyspark install and jar cache lives."""
    import pyspark

    jars = sorted(p.name for p in jar_dir().glob("*.jar"))
    fingerprint = "|".join([pyspark.__version__, str(Path(pyspark.__file__).parent), str(jar_dir()), *jars])
    return archive_dir() / f"spark-{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}.jsa"


def class_archive_options(java_options: str = "") -> str:
    """JVM options that map the archive, or "" when there is none for this class path.

    Not with an agent or a flight recording started with the JVM (`java_options`): OpenJDK 17
    crashed in the class-file load hook they install when the class came from the archive."""
    if os.environ.get(ARCHIVE_ENV, "").lower() == "off" or any(hook in java_options for hook in CLASS_HOOKS):
        return ""
    path = class_archive()
    return f"-XX:SharedArchiveFile={path} {QUIET}" if path.is_file() else ""


def _workload(work: Path, archive: Path) -> None:
    """The kinds of work a run does, so their classes are loaded (and archived) at exit."""
    from delta.tables import DeltaTable
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from lakehouse_assets.resources.spark import build_spark_session, spark_conf

    settings = load_settings()
    # The environment's own driver options, plus writing the archive at exit.
    options = f"{spark_conf(settings)['spark.driver.extraJavaOptions']} -XX:ArchiveClassesAtExit={archive}"
    conf = {**settings.spark.conf, "spark.driver.extraJavaOptions": options}
    spark = build_spark_session(replace(settings, spark=replace(settings.spark, conf=conf)))
    spark.sparkContext.setLogLevel("ERROR")
    csv = work / "landing.csv"
    csv.write_text("id,day,amount,code\n" + "".join(f"{i},2024-01-0{1 + i % 3},{i * 1.5},c{i % 4}\n"
                                                   for i in range(60)))
    raw = spark.read.option("header", True).csv(str(csv))
    typed = raw.select(F.col("id").cast("int").alias("id"), F.to_date("day").alias("day"),
                       F.col("amount").cast("decimal(18,2)").alias("amount"),
                       F.when(F.col("code").rlike("^c[0-2]$"), F.col("code")).alias("code"),
                       F.sha2(F.col("code"), 256).alias("hashed"))
    ranked = typed.withColumn("n", F.row_number().over(Window.partitionBy("code").orderBy("id")))
    joined = ranked.join(F.broadcast(typed.groupBy("code").agg(F.sum("amount").alias("total"))), "code", "left")
    joined.rollup("day").agg(F.count(F.lit(1)), F.countDistinct("id")).collect()
    table = str(work / "table")
    joined.write.format("delta").partitionBy("day").save(table)
    (joined.where("day = DATE'2024-01-02'").write.format("delta").mode("overwrite")
     .option("replaceWhere", "day = DATE'2024-01-02'").save(table))
    (DeltaTable.forPath(spark, table).alias("t")
     .merge(joined.where("id < 10").alias("s"), "t.id = s.id")
     .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
    spark.read.format("delta").load(table).where("day = DATE'2024-01-01'").groupBy("code").count().collect()
    DeltaTable.forPath(spark, table).history(1).collect()
    spark.stop()


def build(force: bool = False) -> Path | None:
    """Make the archive for this class path (in a child process), unless it exists."""
    target = class_archive()
    if target.is_file() and not force:
        print(f"JVM class archive up to date: {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lakehouse-cds-") as work:
        env = {**os.environ, ARCHIVE_ENV: "off", "LAKEHOUSE_ENV": "local"}
        command = [sys.executable, "-m", "lakehouse_assets.resources.class_archive",
                   "--workload", work, "--to", str(partial)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not partial.is_file():
        # Only speed is lost: Spark starts as before without an archive.
        print(f"JVM class archive not made (Spark starts without it): {done.stderr.strip()[-2000:]}")
        return None
    for old in target.parent.glob("spark-*.jsa"):
        old.unlink()
    partial.rename(target)
    print(f"JVM class archive made: {target} ({target.stat().st_size // 2**20} MB)")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lakehouse_assets.resources.class_archive")
    parser.add_argument("--force", action="store_true", help="make it again even if it exists")
    parser.add_argument("--workload", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workload is not None:
        _workload(args.workload, args.to)
    else:
        build(args.force)


if __name__ == "__main__":
    main()
