"""Evaluate a table against its contract in one Spark job.

Every rule of a contract becomes one aggregate expression counting the rows that
break it (a null value keeps a value check, as in pandera): nullability, each
pandera value check, the key's duplicates, the cross-column rules. They all go
into a single `agg`, with any extra figures a check needs (unknown keys, rows per
reason), so a table is scanned once however many rules it has.

Columns and types are compared with the contract without touching the data; a
rule that reads a missing or mistyped column is not evaluated (the contract check
already names that column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from pandera.api.checks import Check
from pandera.pyspark import DataFrameSchema
from pyspark.sql import Column, DataFrame, Row
from pyspark.sql import functions as F

from lakehouse_assets.checks.together import Pending
from lakehouse_assets.contracts.base import (
    AGGREGATE_RULE,
    RULE_COLUMNS,
    RULE_EXPRESSION,
    RULE_KIND,
    UNIQUE_RULE,
    all_not_null,
    key_columns,
    spark_type,
)

NOT_NULL, VALUE_RANGES, UNIQUE_KEY = "not_null", "value_ranges", "unique_key"
ROWS = "rows"
_TOTAL = "_is_total"


class ContractError(ValueError):
    """A contract uses a check this module cannot turn into a Spark expression."""


@dataclass(frozen=True)
class Rule:
    """One rule of a contract, as an aggregate counting the rows that break it."""

    check: str                # which asset check reports it: not_null, value_ranges, unique_key
    name: str
    columns: tuple[str, ...]
    violations: Column


@dataclass(frozen=True)
class Outcome:
    check: str
    name: str
    columns: tuple[str, ...]
    violations: int


@dataclass
class TableMetrics:
    """What one pass over a table found."""

    table: str
    rows: int
    structure: list[str] = field(default_factory=list)   # column problems, each naming its column
    outcomes: list[Outcome] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)     # rules not evaluated (broken columns)

    def failures(self, check: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.check == check and o.violations]

    def evaluated(self, check: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.check == check]


def structure_problems(schema: DataFrameSchema, frame: DataFrame) -> dict[str, str]:
    """column -> what is wrong with it: missing, unexpected, or of another type."""
    actual = {f.name: f.dataType for f in frame.schema.fields}
    problems: dict[str, str] = {}
    for name, column in schema.columns.items():
        expected = spark_type(column)
        if name not in actual:
            problems[name] = f"{name}: missing"
        elif expected is not None and actual[name] != expected:
            problems[name] = f"{name}: {actual[name].simpleString()}, contract says {expected.simpleString()}"
    for name in actual:
        if name not in schema.columns and schema.strict:
            problems[name] = f"{name}: not in the contract"
    return problems


def check_passes(check: Check, column: Column) -> Column:
    """A pandera built-in check as a Spark condition (null where the value is null)."""
    s = check.statistics or {}
    name = check.name
    if name in ("equal_to", "not_equal_to"):
        return column == s["value"] if name == "equal_to" else column != s["value"]
    if name in ("greater_than", "greater_than_or_equal_to"):
        return column > s["min_value"] if name == "greater_than" else column >= s["min_value"]
    if name in ("less_than", "less_than_or_equal_to"):
        return column < s["max_value"] if name == "less_than" else column <= s["max_value"]
    if name == "in_range":
        low = column >= s["min_value"] if s.get("include_min", True) else column > s["min_value"]
        high = column <= s["max_value"] if s.get("include_max", True) else column < s["max_value"]
        return low & high
    if name in ("isin", "notin"):
        values = list(s["allowed_values"] if name == "isin" else s["forbidden_values"])
        return column.isin(values) if name == "isin" else ~column.isin(values)
    if name == "str_matches":
        pattern = str(getattr(s["pattern"], "pattern", s["pattern"]))
        return column.rlike(pattern if pattern.startswith("^") else f"^{pattern}")
    if name == "str_startswith":
        return column.startswith(s["string"])
    raise ContractError(f"check {name!r} has no single-pass translation; add it to check_passes")


def _count(condition: Column) -> Column:
    return F.count(F.when(condition, F.lit(1)))


def compile_rules(schema: DataFrameSchema, broken: set[str]) -> tuple[list[Rule], list[str]]:
    """The contract's rules over its intact columns, and the names of the rules left out."""
    rules: list[Rule] = []
    skipped: list[str] = []
    for name, column in schema.columns.items():
        if name in broken:
            continue
        if not column.nullable:
            rules.append(Rule(NOT_NULL, "not_null", (name,), _count(F.col(name).isNull())))
        for check in column.checks:
            passes = check_passes(check, F.col(name))
            rules.append(Rule(VALUE_RANGES, check.error or check.name, (name,), _count(~passes)))
    keys = key_columns(schema)
    if keys and broken.isdisjoint(keys):
        complete = _count(all_not_null(keys))
        rules.append(Rule(UNIQUE_KEY, f"unique({', '.join(keys)})", keys,
                          complete - F.count_distinct(*[F.col(k) for k in keys])))
    for check in schema.checks:
        stats = check.statistics or {}
        if RULE_KIND not in stats:
            raise ContractError(f"{schema.name}: table-level check {check.name!r} is not a row or aggregate rule")
        if broken:  # a rule may read any column: only evaluate it on an intact table
            skipped.append(check.name)
            continue
        expression = stats[RULE_EXPRESSION]()
        group = UNIQUE_KEY if stats.get(UNIQUE_RULE) else VALUE_RANGES
        violations = expression if stats[RULE_KIND] == AGGREGATE_RULE else _count(expression)
        rules.append(Rule(group, check.error or check.name, tuple(stats[RULE_COLUMNS]), violations))
    return rules, skipped


def measure(frame: DataFrame, schema: DataFrameSchema, extra: Mapping[str, Column] | None = None) -> TableMetrics:
    """Every rule outcome of `schema` on `frame`, plus the `extra` aggregates, in one Spark job."""
    return measure_by_date(frame, schema, None, extra).total


@dataclass
class DatedMetrics:
    """One pass over a table: the whole frame's metrics and each business date's."""

    total: TableMetrics
    by_date: dict[date, TableMetrics] = field(default_factory=dict)


def measure_by_date(frame: DataFrame, schema: DataFrameSchema, date_column: str | None,
                    extra: Mapping[str, Column] | None = None) -> DatedMetrics:
    """`measure`, and the same figures per value of `date_column`, in one Spark job."""
    return pending_metrics(frame, schema, date_column, extra).run()


def pending_metrics(frame: DataFrame, schema: DataFrameSchema, date_column: str | None,
                    extra: Mapping[str, Column] | None = None) -> Pending[DatedMetrics]:
    """The aggregation behind `measure_by_date`, to run alone or with a step's others
    (`checks/together.py`).

    A `rollup` over the date column gives one row per date and the grand total, so the
    DQ report can show each date's own figures without another pass. Without a date
    column (or when the table lacks it) only the total is measured."""
    problems = structure_problems(schema, frame)
    rules, skipped = compile_rules(schema, set(problems))
    extra = dict(extra or {})
    aggregates = [F.count(F.lit(1)).alias(ROWS)]
    aggregates += [rule.violations.alias(f"_r{i}") for i, rule in enumerate(rules)]
    aggregates += [expression.alias(f"_x{i}") for i, expression in enumerate(extra.values())]

    def metrics(values: dict) -> TableMetrics:
        return TableMetrics(
            table=str(schema.name),
            rows=int(values.get(ROWS) or 0),
            structure=list(problems.values()),
            outcomes=[Outcome(r.check, r.name, r.columns, int(values.get(f"_r{i}") or 0))
                      for i, r in enumerate(rules)],
            extra={name: int(values.get(f"_x{i}") or 0) for i, name in enumerate(extra)},
            skipped=skipped,
        )

    if date_column is None or date_column not in frame.columns:
        return Pending(frame.agg(*aggregates),
                       lambda rows: DatedMetrics(metrics(rows[0].asDict() if rows else {})))

    def dated(rows: list[Row]) -> DatedMetrics:
        total = next((r.asDict() for r in rows if r[_TOTAL]), {})
        by_date = {r[date_column]: metrics(r.asDict()) for r in rows
                   if not r[_TOTAL] and r[date_column] is not None}
        return DatedMetrics(metrics(total), by_date)

    return Pending(frame.rollup(date_column).agg(F.grouping(date_column).alias(_TOTAL), *aggregates), dated)
