"""How a table contract is written: a pandera schema on the PySpark backend.

A contract is a `pandera.pyspark.DataFrameSchema` and nothing else: its columns
(type, nullability, value checks, description), its key (`unique`) and its
cross-column rules (schema-level `Check`s). Both the UI's column schema and the
data-quality checks are built from it, so a rule is written once.

Cross-column rules carry a Spark expression in their `statistics`, so the checks
can evaluate every rule of a table in one aggregation (`lakehouse_assets.checks.metrics`);
the same rule also runs under pandera's own `validate` (one Spark job per rule),
which the tests use to show that both agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from pandera.pyspark import Check, Column, DataFrameSchema
from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

# `metadata` of a contract: the DATE column a run's partition window filters on
# (None: the checks read the whole table).
WINDOW_COLUMN = "window_column"
# `statistics` of a cross-column rule.
RULE_KIND, RULE_COLUMNS, RULE_EXPRESSION = "rule_kind", "columns", "expression"
UNIQUE_RULE = "unique"  # set on an aggregate rule that is a key
ROW_RULE, AGGREGATE_RULE = "row", "aggregate"

CURRENCY_PATTERN = r"^[A-Z]{3}$"

RowExpression = Callable[[], SparkColumn]


def field(dtype: T.DataType | None, description: str, nullable: bool = True,
          checks: Iterable[Check] = ()) -> Column:
    """One column of a contract. `dtype=None` accepts any type (lineage columns owned elsewhere)."""
    return Column(dtype, checks=list(checks), nullable=nullable, description=description)


def row_rule(name: str, description: str, columns: Sequence[str], failed: RowExpression) -> Check:
    """A rule every row must keep; `failed()` is true for a row that breaks it (null counts as kept)."""

    def holds(frame: DataFrame) -> bool:
        return frame.where(failed()).limit(1).count() == 0

    return Check(holds, name=name, error=description,
                 statistics={RULE_KIND: ROW_RULE, RULE_COLUMNS: tuple(columns), RULE_EXPRESSION: failed})


def aggregate_rule(name: str, description: str, columns: Sequence[str], violations: RowExpression,
                   is_key: bool = False) -> Check:
    """A rule on the table as a whole; `violations()` is an aggregate that must be 0."""

    def holds(frame: DataFrame) -> bool:
        return int(frame.agg(violations().alias("v")).first()["v"] or 0) == 0

    return Check(holds, name=name, error=description,
                 statistics={RULE_KIND: AGGREGATE_RULE, RULE_COLUMNS: tuple(columns), RULE_EXPRESSION: violations,
                             UNIQUE_RULE: is_key})


def unique_rule(columns: Sequence[str]) -> Check:
    """A second key of a table (pandera's `unique` holds the first): rows with the key
    complete minus distinct keys must be 0."""
    cols = tuple(columns)

    def duplicates() -> SparkColumn:
        complete = F.count(F.when(all_not_null(cols), F.lit(1)))
        return complete - F.count_distinct(*[F.col(c) for c in cols])

    return aggregate_rule(f"unique({', '.join(cols)})", f"({', '.join(cols)}) identifies a row", cols, duplicates,
                          is_key=True)


def all_not_null(columns: Sequence[str]) -> SparkColumn:
    condition = F.lit(True)
    for c in columns:
        condition = condition & F.col(c).isNotNull()
    return condition


def contract(name: str, description: str, columns: Mapping[str, Column], unique: Sequence[str] = (),
             rules: Iterable[Check] = (), window_column: str | None = None) -> DataFrameSchema:
    """A table contract: strict (no column beyond those listed), keyed by `unique`."""
    return DataFrameSchema(
        dict(columns), checks=list(rules), unique=list(unique) or None, strict=True, name=name,
        description=description, metadata={WINDOW_COLUMN: window_column},
    )


def window_column(schema: DataFrameSchema) -> str | None:
    return (schema.metadata or {}).get(WINDOW_COLUMN)


def key_columns(schema: DataFrameSchema) -> tuple[str, ...]:
    unique = schema.unique
    if not unique:
        return ()
    return (unique,) if isinstance(unique, str) else tuple(unique)


def spark_type(column: Column) -> T.DataType | None:
    """The Spark type a contract column requires (None: any)."""
    return None if column.dtype is None else column.dtype.type
