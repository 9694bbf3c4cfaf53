"""Read landing files into bronze rows: every data line as text, nothing padded or dropped.

Each reader returns the source's columns as strings, `_raw_line` and `_parse_error`
(null for a line that parsed into the source's columns, otherwise the line as landed
and why it was not used), `_extra` (columns the contract does not know, kept when
`schema_drift.new_columns` is `carry`) and `_file_path`, Spark's name for the file.

Records are lines (docs/decisions.md 1, docs/robustness.md): a line ends at LF, a CR
before the LF is dropped, a blank line (only spaces, tabs, CR, VT, FF) is not data,
and a line identical to its CSV file's header is a header, not data. Text is decoded
as UTF-8; a line holding bytes that are not UTF-8, or NUL characters, is kept with
U+FFFD in place of the bad bytes and `_parse_error` starting `bad_encoding`.
Columns are matched by the names in the file's header (Parquet: its schema).
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.bronze.per_file import FILE_PATH, qualified_path, with_file_columns
from lakehouse_assets.bronze.shapes import CARRY, REJECT, FileShape, csv_shape, parquet_shape
from lakehouse_assets.columns import PARSE_ERROR, RAW_LINE
from lakehouse_assets.sources import Source

EXTRA = "_extra"
LINE, LINE_BYTES, ENCODING_ERROR = "_line", "_line_bytes", "_encoding_error"
BOM_BYTES = "\ufeff".encode()
EXTRA_TYPE = T.MapType(T.StringType(), T.StringType())
# A line with this many commas is malformed without being parsed: the CSV parser's
# column limit (Spark's default) would otherwise fail the whole read.
MAX_FIELDS = 20480
CSV_OPTIONS = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": RAW_LINE, "quote": '"', "escape": '"',
               "maxColumns": str(MAX_FIELDS + 1)}
NOT_UTF8 = "bad_encoding: bytes that are not UTF-8 (shown as U+FFFD)"
HAS_NUL = "bad_encoding: NUL characters (UTF-16 or binary data?)"


def _empty(spark: SparkSession, source: Source) -> DataFrame:
    fields = [T.StructField(c, T.StringType()) for c in (*source.columns, RAW_LINE, PARSE_ERROR)]
    schema = T.StructType([*fields, T.StructField(EXTRA, EXTRA_TYPE), T.StructField(FILE_PATH, T.StringType())])
    return spark.createDataFrame([], schema)


def _drop_first(column: str, prefix: str) -> Column:
    return F.when(F.col(column).startswith(prefix), F.col(column).substr(F.lit(2), F.length(column))) \
        .otherwise(F.col(column))


def _drop_last(column: str, suffix: str) -> Column:
    return F.when(F.col(column).endswith(suffix), F.col(column).substr(F.lit(1), F.length(column) - 1)) \
        .otherwise(F.col(column))


def text_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """The non-blank lines of text files (gzip by extension), decoded, with their encoding error."""
    raw = spark.read.option("lineSep", "\n").text(paths).select(
        F.col("_metadata.file_path").alias(FILE_PATH), F.col("value").alias("_bytes"),
        F.decode(F.col("value").cast("binary"), "UTF-8").alias("_decoded"),
    )
    text = raw.select(FILE_PATH, "_bytes", "_decoded", _drop_last("_decoded", "\r").alias("_text"))
    data = text.where(~F.col("_text").rlike("^[ \\t\\r\\x0B\\f]*\\z"))
    encoding = (F.when(F.col("_bytes") != F.col("_decoded"), F.lit(NOT_UTF8))
                .when(F.col("_text").contains("\x00"), F.lit(HAS_NUL)))
    return data.select(FILE_PATH, _drop_first("_text", "\ufeff").alias(LINE),
                       encoding.alias(ENCODING_ERROR), F.col("_bytes").cast("binary").alias(LINE_BYTES))


def _first_error(*errors: Column | str | None) -> Column:
    """The first non-null of line-level (Column) and file-level (str) errors."""
    given = [F.lit(e) if isinstance(e, str) else e for e in errors if e is not None]
    return F.coalesce(*given) if given else F.lit(None).cast("string")


def _project(source: Source, values: dict[str, Column], error: Column, raw: Column, extra: Column | None) -> list:
    """The reader's output columns: values only when the line is good, the raw line otherwise."""
    ok = error.isNull()
    return [
        *[F.when(ok, values[c]).alias(c) if c in values else F.lit(None).cast("string").alias(c)
          for c in source.columns],
        F.when(~ok, raw).alias(RAW_LINE), error.alias(PARSE_ERROR),
        (F.when(ok, extra) if extra is not None else F.lit(None)).cast(EXTRA_TYPE).alias(EXTRA),
        F.col(FILE_PATH),
    ]


def _extra_map(names: list[str], values: list[Column], new_columns: str) -> Column | None:
    if not names or new_columns != CARRY:
        return None
    return F.create_map(*[part for name, value in zip(names, values) for part in (F.lit(name), value)])


HEADER_FORMS = ("_header", "_header_cr", "_bom_header", "_bom_header_cr")
_CSV_FILES = T.StructType([
    T.StructField(FILE_PATH, T.StringType()), T.StructField("_layout", T.IntegerType()),
    *[T.StructField(name, T.BinaryType()) for name in HEADER_FORMS], T.StructField("_file_error", T.StringType()),
])


def header_forms(header: bytes | None) -> tuple[bytes | None, ...]:
    """The lines equal to a file's header: as landed, with the CR, with the BOM, with both."""
    if header is None:
        return (None,) * len(HEADER_FORMS)
    return header, header + b"\r", BOM_BYTES + header, BOM_BYTES + header + b"\r"


def read_csv(spark: SparkSession, paths: list[str], source: Source, new_columns: str = REJECT,
             shapes: dict[str, FileShape] | None = None) -> DataFrame:
    """CSV and CSV.gz (RFC 4180: comma, double quotes, `""` escapes a quote, header row).

    All files are read in one scan; each line is parsed into its file's header columns
    (a "layout"; usually one for all files), which are then mapped to the contract by name."""
    shapes = shapes or {p: csv_shape(p, source) for p in paths}
    readable = [p for p in paths if shapes[p].lines_readable]
    if not readable:
        return _empty(spark, source)
    layouts = sorted({shapes[p].columns or tuple(source.columns) for p in readable})
    files = [
        (qualified_path(spark, p), layouts.index(shapes[p].columns or tuple(source.columns)),
         *header_forms(shapes[p].header_bytes), shapes[p].line_error(new_columns)) for p in readable
    ]
    lines = with_file_columns(text_lines(spark, readable), _CSV_FILES, files)
    # A line equal to its file's header, compared as bytes (the driver and the JVM may decode
    # bad bytes differently), with or without the BOM and the CR.
    is_header = reduce(lambda a, b: a | b, [F.col(LINE_BYTES) == F.col(name) for name in HEADER_FORMS])
    data = lines.where(~F.coalesce(is_header, F.lit(False)))
    # Only a line of this many bytes can hold that many commas: count them only then.
    commas = F.when(F.octet_length(LINE) >= MAX_FIELDS, F.length(LINE) - F.length(F.regexp_replace(LINE, ",", "")))
    commas = F.coalesce(commas, F.lit(0))
    parsed = data.select("*", *[
        F.when((F.col("_layout") == k) & (commas < MAX_FIELDS), F.from_csv(F.col(LINE), _ddl(columns), CSV_OPTIONS))
        .alias(f"_p{k}") for k, columns in enumerate(layouts)
    ])
    line_error = F.when(commas >= MAX_FIELDS, F.lit(f"{MAX_FIELDS} or more comma-separated fields"))
    for k, columns in enumerate(layouts):
        line_error = line_error.when(F.col(f"_p{k}.{RAW_LINE}").isNotNull(),
                                     F.lit(f"expected {len(columns)} comma-separated fields"))
    error = _first_error(F.col(ENCODING_ERROR), F.col("_file_error"), line_error)
    values = {c: F.coalesce(*[F.col(f"_p{k}.c{cols.index(c)}") for k, cols in enumerate(layouts) if c in cols],
                            F.lit(None).cast("string"))
              for c in source.columns}
    extra = None
    if new_columns == CARRY and any(c not in source.columns for cols in layouts for c in cols):
        extra = F.coalesce(*[
            F.when(F.col("_layout") == k, _extra_map(unknown, [F.col(f"_p{k}.c{cols.index(c)}") for c in unknown],
                                                      new_columns))
            for k, cols in enumerate(layouts) if (unknown := [c for c in cols if c not in source.columns])
        ])
    return parsed.select(*_project(source, values, error, F.col(LINE), extra))


def _ddl(columns: tuple[str, ...]) -> str:
    """Positional field names: header names may be anything, the mapping by name comes after."""
    return ", ".join(f"c{i} string" for i in range(len(columns))) + f", {RAW_LINE} string"


def read_jsonl(spark: SparkSession, paths: list[str], source: Source, new_columns: str = REJECT,
               shapes: dict[str, FileShape] | None = None) -> DataFrame:
    """JSON Lines: one object per line, keys = the source's columns, values strings or null.

    A non-string value is kept as its JSON text (and judged by the type rules)."""
    if not paths:
        return _empty(spark, source)
    lines = text_lines(spark, paths)
    contract = F.array(*[F.lit(c) for c in source.columns])
    keys = F.json_object_keys(LINE)
    # Wrapping the line in [] makes the parser reject trailing text such as a second object.
    single = F.size(F.from_json(F.concat(F.lit("["), F.col(LINE), F.lit("]")), "array<string>")) == 1
    missing, unexpected = F.array_except(contract, keys), F.array_except(keys, contract)
    line_error = (
        F.when(keys.isNull() | ~single, F.lit("not a single JSON object"))
        .when(F.size(keys) != F.size(F.array_distinct(keys)), F.lit("repeated key"))
        .when(F.size(missing) > 0, F.concat(F.lit("missing key(s) "), F.array_join(missing, ", ")))
    )
    if new_columns == REJECT:
        line_error = line_error.when(F.size(unexpected) > 0, F.concat(
            F.lit("unexpected key(s) "), F.array_join(unexpected, ", "),
            F.lit(" (schema_drift.new_columns: reject)")))
    error = _first_error(F.col(ENCODING_ERROR), line_error)
    struct = ", ".join(f"`{c}` string" for c in source.columns)
    parsed = lines.select("*", F.from_json(F.col(LINE), struct).alias("_r"), error.alias("_error"),
                          F.size(unexpected).alias("_unexpected"))
    extra = None
    if new_columns == CARRY:
        as_map = F.from_json(F.col(LINE), "map<string,string>")
        extra = F.when(F.col("_unexpected") > 0,
                       F.map_filter(as_map, lambda k, _: ~F.array_contains(contract, k)))
    values = {c: F.col(f"_r.`{c}`") for c in source.columns}
    return parsed.select(*_project(source, values, F.col("_error"), F.col(LINE), extra))


def read_parquet(spark: SparkSession, paths: list[str], source: Source, new_columns: str = REJECT,
                 shapes: dict[str, FileShape] | None = None) -> DataFrame:
    """Parquet with string columns, matched by name; a file with other columns or types is
    malformed as a whole (each row kept, serialised as JSON, with the reason)."""
    shapes = shapes or {p: parquet_shape(spark, p, source) for p in paths}
    groups: dict[tuple, list[str]] = {}
    for path in paths:
        if shapes[path].lines_readable:
            groups.setdefault((shapes[path].columns, shapes[path].types), []).append(path)
    frames = [_parquet_group(spark, group, source, shapes[group[0]].line_error(new_columns), new_columns)
              for group in groups.values()]
    return reduce(DataFrame.unionByName, frames) if frames else _empty(spark, source)


def _parquet_group(spark: SparkSession, paths: list[str], source: Source, file_error: str | None,
                   new_columns: str) -> DataFrame:
    frame = spark.read.parquet(*paths)
    strings = [f.name for f in frame.schema.fields if isinstance(f.dataType, T.StringType)]
    text = {c: (F.decode(F.col(f"`{c}`").cast("binary"), "UTF-8") if c in strings else F.col(f"`{c}`").cast("string"))
            for c in frame.columns}
    not_utf8 = [F.col(f"`{c}`") != text[c] for c in strings]
    has_nul = [text[c].contains("\x00") for c in strings]
    encoding = (F.when(reduce(lambda a, b: a | b, not_utf8), F.lit(NOT_UTF8))
                .when(reduce(lambda a, b: a | b, has_nul), F.lit(HAS_NUL))) if strings else None
    error = _first_error(encoding, file_error)
    values = {c: text[c] for c in frame.columns if c in source.columns}
    unknown = [c for c in frame.columns if c not in source.columns]
    extra = _extra_map(unknown, [text[c] for c in unknown], new_columns)
    raw = F.to_json(F.struct(*[text[c].alias(c) for c in frame.columns]))
    with_path = frame.select("*", F.col("_metadata.file_path").alias(FILE_PATH))
    return with_path.select(*_project(source, values, error, raw, extra))


READERS = {"csv": read_csv, "jsonl": read_jsonl, "parquet": read_parquet}
