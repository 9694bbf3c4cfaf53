"""Spark SQL types as the Glue Data Catalog writes them (Hive DDL type names).

Glue stores a column's type as Hive text: `bigint`, not Spark's `long`; `int`, not
`integer`; nested types with their element types spelled the same way. Athena and
Spark both read these names. A type with no Hive name is an error, not a guess.
"""

from __future__ import annotations

from pyspark.sql import types as T

_SIMPLE: dict[type[T.DataType], str] = {
    T.StringType: "string",
    T.BooleanType: "boolean",
    T.ByteType: "tinyint",
    T.ShortType: "smallint",
    T.IntegerType: "int",
    T.LongType: "bigint",
    T.FloatType: "float",
    T.DoubleType: "double",
    T.DateType: "date",
    T.BinaryType: "binary",
    # Hive and Athena have one timestamp type; Delta keeps the time-zone semantics in its log.
    T.TimestampType: "timestamp",
    T.TimestampNTZType: "timestamp",
}


def glue_type(dtype: T.DataType) -> str:
    """The Glue (Hive) type name of a Spark type; raises TypeError for one Glue cannot hold."""
    simple = _SIMPLE.get(type(dtype))
    if simple is not None:
        return simple
    if isinstance(dtype, T.DecimalType):
        return f"decimal({dtype.precision},{dtype.scale})"
    if isinstance(dtype, (T.CharType, T.VarcharType)):
        return dtype.simpleString()  # char(n), varchar(n)
    if isinstance(dtype, T.ArrayType):
        return f"array<{glue_type(dtype.elementType)}>"
    if isinstance(dtype, T.MapType):
        return f"map<{glue_type(dtype.keyType)},{glue_type(dtype.valueType)}>"
    if isinstance(dtype, T.StructType):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.dataType)}" for f in dtype.fields) + ">"
    raise TypeError(f"no Glue type for Spark type {dtype.simpleString()}")
