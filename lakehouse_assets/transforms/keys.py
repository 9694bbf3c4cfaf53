"""Surrogate keys and date keys of the star schema (SPEC §4).

A surrogate key is a hash of natural values, not a sequence, so rebuilding a
dimension (or backfilling days in any order) gives every unchanged row the same
key and never orphans a fact row that points at it.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

# The key of "no such dimension row" (unknown entity); a hash key is never this.
UNKNOWN_KEY = -1

# Each value is rendered as JSON with a fixed date / timestamp format and zone, so
# the key does not depend on the session time zone or on Spark's default casts,
# and ("a|b", "c") cannot collide with ("a", "b|c") as a plain `concat_ws` would.
KEY_JSON_OPTIONS = {
    "timestampFormat": "yyyy-MM-dd HH:mm:ss.SSSSSS",
    "dateFormat": "yyyy-MM-dd",
    "timeZone": "UTC",
    "ignoreNullFields": "false",
}
HASH_BITS = 256
# 15 hex digits = 60 bits: the result fits a bigint and is always >= 0.
KEY_HEX_DIGITS = 15
HEX_BASE = 16
DECIMAL_BASE = 10

DATE_KEY_YEAR_FACTOR = 10_000
DATE_KEY_MONTH_FACTOR = 100


def _as_column(col: str | Column) -> Column:
    return F.col(col) if isinstance(col, str) else col


def surrogate_key(*cols: str | Column) -> Column:
    """A deterministic non-negative bigint from the given columns (names or Columns).

    The values are positional (the column names do not matter), typed (a date and
    the same text give different keys) and never null for non-null inputs.
    """
    if not cols:
        raise ValueError("surrogate_key needs at least one column")
    parts = F.struct(*[_as_column(c).alias(f"k{i}") for i, c in enumerate(cols)])
    digest = F.sha2(F.to_json(parts, KEY_JSON_OPTIONS), HASH_BITS)
    return F.conv(F.substring(digest, 1, KEY_HEX_DIGITS), HEX_BASE, DECIMAL_BASE).cast("bigint")


def date_key(date_col: str | Column) -> Column:
    """The int yyyymmdd key of a date (null for a null date)."""
    d = _as_column(date_col)
    return (
        F.year(d) * DATE_KEY_YEAR_FACTOR + F.month(d) * DATE_KEY_MONTH_FACTOR + F.dayofmonth(d)
    ).cast("int")
