"""A Delta table's catalog entry and its Glue `TableInput`: pure, no Glue client, no Spark session.

`CatalogTable` is what the catalog says about one table: its name, description,
columns (Glue type and description) and partition keys. `from_contract` builds it from
a table contract, `bronze_columns` lists a bronze table's columns (bronze has no
contract: its source columns are landed text). `table_input` renders it as Glue wants
it for a native Delta table (docs/catalog.md): Athena engine v3 reads the Delta log at
the location when `table_type` is DELTA, and Spark with Glue as its metastore reads it
through delta-spark because the provider is `delta` and the location is the `path`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pandera.pyspark import DataFrameSchema
from pyspark.sql import types as T

from lakehouse_assets.catalog.glue_types import glue_type
from lakehouse_assets.columns import LINEAGE_COLUMNS, PARTITION_COLUMN
from lakehouse_assets.contracts.base import key_columns, spark_type
from lakehouse_assets.contracts.columns import describe
from lakehouse_assets.contracts.crm import DESCRIPTIONS as CRM_DESCRIPTIONS
from lakehouse_assets.contracts.events import BRONZE_COLUMNS as BRONZE_EVENT_COLUMNS
from lakehouse_assets.contracts.events import EVENT_DATE, KAFKA_LINEAGE, MESSAGE_COLUMNS
from lakehouse_assets.contracts.silver import lineage_field
from lakehouse_assets.resources.storage import canonical_uri, is_s3
from lakehouse_assets.sources import Source
from lakehouse_assets.transforms.crm import EXTRACT_MODE, EXTRACTED_AT, RUN_ID

# Glue's limits: a column comment holds 255 characters, a table description 2048.
MAX_COMMENT, MAX_DESCRIPTION = 255, 2048
# Bronze's map of landing columns the source contract does not know (bronze/readers.py EXTRA).
EXTRA_COLUMN = "_extra"
EXTRA_DESCRIPTION = ("Landing columns the source contract does not know, by name, when "
                     "schema_drift.new_columns is carry; null otherwise.")
# Parameters that make a Glue table a native Delta table for Athena and for Spark.
DELTA_PARAMETERS = {"table_type": "DELTA", "spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"}
# Delta's data files are Parquet; engines that read the Delta log ignore these, others see Parquet.
PARQUET_STORAGE = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
}
ASSET_KEY_PARAMETER, UNIQUE_KEY_PARAMETER = "lakehouse.asset_key", "lakehouse.unique_key"


@dataclass(frozen=True)
class CatalogColumn:
    name: str
    type: str  # Glue (Hive) type name
    comment: str


@dataclass(frozen=True)
class CatalogTable:
    """One Delta table as the catalog shows it; `key` is its asset key `(layer, table)`."""

    key: tuple[str, str]
    description: str
    columns: tuple[CatalogColumn, ...]
    partition_keys: tuple[str, ...] = ()
    unique_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        missing = [p for p in self.partition_keys if p not in names]
        if missing:
            raise ValueError(f"{'/'.join(self.key)}: partition key(s) {missing} are not columns of the table")

    @property
    def name(self) -> str:
        return glue_table_name(self.key)


def glue_table_name(key: Sequence[str]) -> str:
    """`silver/orders` -> `silver_orders`: one database holds every layer; Glue names are lowercase."""
    layer, table = key
    return f"{layer}_{table}".lower()


def catalog_table(key: Sequence[str], description: str, columns: Iterable[tuple[str, T.DataType, str]],
                  partition_keys: Sequence[str] = (), unique_key: Sequence[str] = ()) -> CatalogTable:
    """A table from `(name, Spark type, description)` triples."""
    layer, table = key
    return CatalogTable(
        key=(layer, table), description=description,
        columns=tuple(CatalogColumn(name, glue_type(dtype), comment) for name, dtype, comment in columns),
        partition_keys=tuple(partition_keys), unique_key=tuple(unique_key),
    )


def contract_columns(schema: DataFrameSchema) -> list[tuple[str, T.DataType, str]]:
    """A contract's columns in table order; every column of a registered table has a type."""
    columns = []
    for name, column in schema.columns.items():
        dtype = spark_type(column)
        if dtype is None:
            raise TypeError(f"{schema.name}: column {name} has no type in its contract")
        columns.append((name, dtype, column.description or ""))
    return columns


def from_contract(key: Sequence[str], schema: DataFrameSchema, description: str | None = None,
                  partition_keys: Sequence[str] = ()) -> CatalogTable:
    return catalog_table(key, description or schema.description or "", contract_columns(schema),
                         partition_keys, key_columns(schema))


def bronze_columns(source: Source) -> list[tuple[str, T.DataType, str]]:
    """Bronze's columns as `bronze/ingest.read_bronze` writes them: the source's columns as
    landed text, the lineage columns, then `_extra`."""
    columns = [(c, T.StringType(), f"As landed (text). {describe(source.name, c)}") for c in source.columns]
    for c in LINEAGE_COLUMNS:
        column = lineage_field(c)
        columns.append((c, spark_type(column), column.description))
    columns.append((EXTRA_COLUMN, T.MapType(T.StringType(), T.StringType()), EXTRA_DESCRIPTION))
    return columns


def crm_bronze_columns(source: Source) -> list[tuple[str, T.DataType, str]]:
    """bronze/crm_* as `transforms/crm.bronze_rows` writes them: the CRM table's columns as
    text, the extraction's lineage, the date of `updated_at` (the partition)."""
    columns = [(c, T.StringType(), f"As read from the CRM (text). {CRM_DESCRIPTIONS[c]}") for c in source.columns]
    lineage = ((EXTRACTED_AT, T.TimestampType()), (RUN_ID, T.StringType()), (EXTRACT_MODE, T.StringType()),
               (PARTITION_COLUMN, T.DateType()))
    return columns + [(c, dtype, CRM_DESCRIPTIONS[c]) for c, dtype in lineage]


def events_bronze_columns() -> list[tuple[str, T.DataType, str]]:
    """bronze/events as `transforms/events.bronze_rows` writes it: the message, its Kafka
    lineage and the event's date."""
    described = {**MESSAGE_COLUMNS, **KAFKA_LINEAGE}
    return [(c, *described[c]) for c in BRONZE_EVENT_COLUMNS if c in described] + [
        (EVENT_DATE, T.DateType(), "Date of event_ts (else of the Kafka timestamp): the partition.")]


def table_location(lakehouse_root: str, key: Sequence[str]) -> str:
    """Where the table's Delta log lives: `s3://bucket/.../layer/table`, or a `file:` URI locally."""
    path = f"{lakehouse_root.rstrip('/')}/{key[0]}/{key[1]}"
    return canonical_uri(path) if is_s3(path) else Path(path).resolve().as_uri()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _glue_column(column: CatalogColumn) -> dict:
    return {"Name": column.name, "Type": column.type, "Comment": _clip(column.comment, MAX_COMMENT)}


def table_input(table: CatalogTable, lakehouse_root: str) -> dict:
    """The Glue `TableInput` of a native Delta table; partition columns are partition keys,
    not columns, as Hive and Glue expect."""
    location = table_location(lakehouse_root, table.key)
    parameters = {**DELTA_PARAMETERS, ASSET_KEY_PARAMETER: "/".join(table.key)}
    if table.unique_key:
        parameters[UNIQUE_KEY_PARAMETER] = ",".join(table.unique_key)
    partitioned = set(table.partition_keys)
    by_name = {c.name: c for c in table.columns}
    return {
        "Name": table.name,
        "Description": _clip(table.description, MAX_DESCRIPTION),
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": {
            "Columns": [_glue_column(c) for c in table.columns if c.name not in partitioned],
            "Location": location,
            "InputFormat": PARQUET_STORAGE["InputFormat"],
            "OutputFormat": PARQUET_STORAGE["OutputFormat"],
            "SerdeInfo": {
                "SerializationLibrary": PARQUET_STORAGE["SerializationLibrary"],
                # Spark takes a data-source table's location from this property.
                "Parameters": {"path": location},
            },
        },
        "PartitionKeys": [_glue_column(by_name[p]) for p in table.partition_keys],
    }
