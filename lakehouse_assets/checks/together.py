"""Several small aggregations of one step answered by one Spark query.

A step measures each table it writes (`checks/metrics.py`) and sometimes more figures
besides (`ingest/figures.py`). On cached frames each of those aggregations is cheap;
what costs is the query around it: planning, scheduling, collecting, hundreds of
milliseconds even for a few rows. `collect_together` unions the aggregations' rows,
each branch's row carried whole in a typed struct column of its own, so they come
back in one query with their types intact (dates stay dates, timestamps timestamps).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

T = TypeVar("T")
_PART = "_part"


@dataclass(frozen=True)
class Pending(Generic[T]):
    """An aggregation planned but not run: its frame of result rows and how they become figures."""

    frame: DataFrame
    finish: Callable[[list[Row]], T]

    def run(self) -> T:
        return self.finish(self.frame.collect())


def collect_together(frames: Mapping[str, DataFrame]) -> dict[str, list[Row]]:
    """Every frame's rows, by name, from one Spark query (a frame's rows in its own order)."""
    if not frames:
        return {}
    if len(frames) == 1:
        [(name, frame)] = frames.items()
        return {name: frame.collect()}
    names = list(frames)
    # Each branch carries only its own struct column; unionByName fills the others with
    # typed nulls in the JVM (a few calls per branch, where building every null column
    # here cost a py4j round trip each: branches x frames of them).
    branches = [frame.select(F.lit(i).alias(_PART), F.struct("*").alias(f"_{i}"))
                for i, frame in enumerate(frames.values())]
    rows = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), branches).collect()
    found: dict[str, list[Row]] = {name: [] for name in names}
    for row in rows:
        i = row[_PART]
        found[names[i]].append(row[f"_{i}"])
    return found


def run_together(pending: Mapping[str, Pending[Any]]) -> dict[str, Any]:
    """Each aggregation's figures, from one Spark query for all of them."""
    rows = collect_together({name: p.frame for name, p in pending.items()})
    return {name: p.finish(rows[name]) for name, p in pending.items()}
