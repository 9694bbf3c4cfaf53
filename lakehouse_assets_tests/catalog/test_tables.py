"""The pure part of the catalog: Spark -> Glue types, a table's TableInput, partition keys. No JVM, no Glue."""

from __future__ import annotations

import pytest
from pyspark.sql import types as T

from lakehouse_assets.catalog.glue import differs
from lakehouse_assets.catalog.glue_types import glue_type
from lakehouse_assets.catalog.graph import graph_tables, physical_partition_keys
from lakehouse_assets.catalog.tables import MAX_COMMENT, CatalogTable, catalog_table, table_input


@pytest.mark.parametrize(("spark", "glue"), [
    (T.StringType(), "string"),
    (T.IntegerType(), "int"),
    (T.LongType(), "bigint"),
    (T.ShortType(), "smallint"),
    (T.ByteType(), "tinyint"),
    (T.BooleanType(), "boolean"),
    (T.DoubleType(), "double"),
    (T.FloatType(), "float"),
    (T.DateType(), "date"),
    (T.TimestampType(), "timestamp"),
    (T.TimestampNTZType(), "timestamp"),
    (T.BinaryType(), "binary"),
    (T.DecimalType(14, 2), "decimal(14,2)"),
    (T.DecimalType(18, 8), "decimal(18,8)"),
    (T.VarcharType(10), "varchar(10)"),
    (T.ArrayType(T.LongType()), "array<bigint>"),
    (T.MapType(T.StringType(), T.StringType()), "map<string,string>"),
    (T.MapType(T.StringType(), T.ArrayType(T.IntegerType())), "map<string,array<int>>"),
    (T.StructType([T.StructField("a", T.IntegerType()), T.StructField("b", T.DecimalType(10, 2))]),
     "struct<a:int,b:decimal(10,2)>"),
    (T.ArrayType(T.StructType([T.StructField("ts", T.TimestampType())])), "array<struct<ts:timestamp>>"),
])
def test_spark_types_map_to_glue_type_names(spark, glue):
    assert glue_type(spark) == glue


@pytest.mark.parametrize("spark", [T.NullType(), T.DayTimeIntervalType(), T.ArrayType(T.NullType())])
def test_a_type_glue_cannot_hold_is_an_error(spark):
    with pytest.raises(TypeError, match="no Glue type"):
        glue_type(spark)


def test_every_contract_type_has_a_glue_type():
    types = {c.type for t in graph_tables() for c in t.columns}
    assert types == {"string", "bigint", "int", "boolean", "date", "timestamp", "decimal(10,4)", "decimal(14,2)",
                     "decimal(16,2)", "decimal(18,8)", "map<string,string>"}


@pytest.mark.parametrize(("metadata", "partitioned", "keys"), [
    ({"partition_expr": "order_date"}, True, ("order_date",)),
    ({"partition_expr": "date", "partition_by": False}, True, ()),
    ({"write_mode": "upsert_groups", "row_key": "sk", "group_key": "id"}, True, ()),
    ({}, False, ()),
    ({"partition_expr": "month"}, False, ()),  # an unpartitioned asset overwrites: no Delta partitions
])
def test_partition_keys_follow_how_the_io_manager_writes(metadata, partitioned, keys):
    assert physical_partition_keys(metadata, partitioned) == keys


def _table(**overrides) -> CatalogTable:
    args = {"key": ("gold", "example"), "description": "An example.",
            "columns": [("day", T.DateType(), "The day."), ("amount", T.DecimalType(14, 2), "Money.")],
            "partition_keys": ("day",)}
    return catalog_table(**{**args, **overrides})


def test_table_input_of_a_native_delta_table_on_s3():
    spec = table_input(_table(), "s3a://bucket/lake/")
    assert spec["Name"] == "gold_example"
    assert spec["Description"] == "An example."
    assert spec["TableType"] == "EXTERNAL_TABLE"
    assert spec["Parameters"]["table_type"] == "DELTA"
    assert spec["Parameters"]["spark.sql.sources.provider"] == "delta"
    storage = spec["StorageDescriptor"]
    assert storage["Location"] == "s3://bucket/lake/gold/example"
    assert storage["SerdeInfo"]["Parameters"] == {"path": "s3://bucket/lake/gold/example"}
    # Hive's convention: a partition column is a partition key, not one of the columns.
    assert storage["Columns"] == [{"Name": "amount", "Type": "decimal(14,2)", "Comment": "Money."}]
    assert spec["PartitionKeys"] == [{"Name": "day", "Type": "date", "Comment": "The day."}]


def test_local_tables_are_located_by_file_uri(tmp_path):
    spec = table_input(_table(partition_keys=()), str(tmp_path / "lake"))
    assert spec["StorageDescriptor"]["Location"] == (tmp_path / "lake" / "gold" / "example").as_uri()
    assert spec["PartitionKeys"] == []
    assert [c["Name"] for c in spec["StorageDescriptor"]["Columns"]] == ["day", "amount"]


def test_long_comments_are_clipped_to_glues_limit():
    spec = table_input(_table(columns=[("day", T.DateType(), "x" * 400)]), "s3://b/l")
    assert len(spec["PartitionKeys"][0]["Comment"]) == MAX_COMMENT


def test_a_partition_key_must_be_a_column():
    with pytest.raises(ValueError, match="not columns"):
        _table(partition_keys=("month",))


def test_differs_ignores_what_the_catalog_adds_but_not_a_changed_column():
    wanted = {"Name": "t", "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}]}}
    held = {"Name": "t", "VersionId": "3", "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}],
                                                                  "Compressed": False}}
    assert not differs(wanted, held)
    assert differs(wanted, {**held, "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "bigint"}]}})
    assert differs(wanted, {**held, "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"},
                                                                      {"Name": "b", "Type": "int"}]}})
    assert differs(wanted, {"Name": "t"})
