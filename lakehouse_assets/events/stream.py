"""The events ingestion: Kafka topic retail.events -> bronze/events and quarantine/events, exactly once.

A Structured Streaming query with an available-now trigger reads every message the
topic holds when it starts (in micro-batches of at most `max_offsets_per_trigger`) and
stops. Its checkpoint (`{lakehouse_root}/_checkpoints/events`) records the offsets of
each batch before the batch runs. Each batch is written by `foreachBatch` as two Delta
appends, bronze and quarantine, each tagged with the stream's `txnAppId` and the batch id
as `txnVersion`: Delta skips a write whose (appId, version) a table already holds. So a
run killed after a table's commit but before the checkpoint's commit replays the batch
with the same offsets and id, and the replay writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from lakehouse_assets.contracts.events import EVENT_DATE, TOPIC
from lakehouse_assets.io_managers.tables import CREATE_PROPERTIES, layer_write_settings
from lakehouse_assets.transforms.events import bronze_rows, classify, quarantine_rows

APP_ID = "lakehouse/events-ingest"  # the Delta txnAppId of the stream's writes to both tables
MAX_OFFSETS_PER_TRIGGER = 100_000


class CheckpointLost(RuntimeError):
    """bronze/events holds the stream's rows but its checkpoint is gone: a restart would
    re-read the topic and Delta would skip the batch ids it already holds."""


@dataclass(frozen=True)
class StreamTarget:
    """Where one ingestion reads and writes."""

    bootstrap: str
    bronze_path: str
    quarantine_path: str
    checkpoint: str
    topic: str = TOPIC
    max_offsets_per_trigger: int = MAX_OFFSETS_PER_TRIGGER


@dataclass
class StreamRun:
    """What one available-now run wrote: the batches it ran (a replayed one included) and their messages."""

    batches: list[int] = field(default_factory=list)
    messages: int = 0


def append_once(frame: DataFrame, path: str, batch_id: int, layer: str) -> None:
    """Append `frame` to the Delta table at `path` unless that table already holds this batch
    (the first append creates the table with its `layer`'s properties; every append
    writes with its `WRITE_SETTINGS`)."""
    with layer_write_settings(frame.sparkSession, layer):
        (frame.write.format("delta").mode("append").partitionBy(EVENT_DATE).options(**CREATE_PROPERTIES.get(layer, {}))
         .option("txnAppId", APP_ID).option("txnVersion", batch_id).save(path))


def batch_writer(target: StreamTarget, run: StreamRun):
    """The foreachBatch function: a batch's messages to bronze, its invalid ones to quarantine.
    It runs on the driver, so it also records the batch in `run`."""

    def write(messages: DataFrame, batch_id: int) -> None:
        # Cached: the batch is read from Kafka once for both tables.
        bronze = bronze_rows(messages, batch_id).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            append_once(bronze, target.bronze_path, batch_id, "bronze")
            append_once(quarantine_rows(classify(bronze)), target.quarantine_path, batch_id, "quarantine")
            run.batches.append(batch_id)
            run.messages += bronze.count()
        finally:
            bronze.unpersist()

    return write


def _exists(spark: SparkSession, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hadoop_path)


def require_checkpoint(spark: SparkSession, target: StreamTarget) -> None:
    """Refuse to start from nothing while bronze already holds the stream's rows."""
    if _exists(spark, f"{target.checkpoint}/offsets") or not _exists(spark, f"{target.bronze_path}/_delta_log"):
        return
    raise CheckpointLost(
        f"bronze/events exists at {target.bronze_path} but the stream's checkpoint {target.checkpoint} "
        "does not: to read the topic again from its start, delete bronze/events and quarantine/events "
        "together with the checkpoint (docs/sources.md)")


def kafka_reader(spark: SparkSession, target: StreamTarget) -> DataFrame:
    return (spark.readStream.format("kafka")
            .option("kafka.bootstrap.servers", target.bootstrap)
            .option("subscribe", target.topic)
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", str(target.max_offsets_per_trigger))
            .load())


def ingest_available(spark: SparkSession, target: StreamTarget) -> StreamRun:
    """Read every message the topic holds now, write it exactly once, and stop."""
    require_checkpoint(spark, target)
    run = StreamRun()
    query = (kafka_reader(spark, target).writeStream
             .foreachBatch(batch_writer(target, run))
             .option("checkpointLocation", target.checkpoint)
             .trigger(availableNow=True)
             .start())
    query.awaitTermination()
    return run
