"""Benchmarks: `make bench` (`python -m benchmarks`) measures every figure of
docs/performance.md and writes them there.

1. bronze ingest of an orders day / a bare Spark CSV -> Delta copy (`daily.py`, `bare.py`)
2. the whole daily run / the same bare copy (`daily.py`)
3. the fixed cost of a tiny day, `lakehouse run` in a subprocess, with its Spark SQL executions
   and Dagster steps counted from the two event logs (`fixed.py`, `eventlog.py`)
4. day N / day 1 with N-1 days of history (`incremental.py`)
5. generator throughput (`generator.py`)
6. Spark's bronze -> silver orders step / DuckDB (`duckdb_orders.py`)
7. peak memory of the driver's Python process and JVM (`memory.py`)

Timed workloads run in fresh processes (`child.py`, started and sampled by `memory.py`;
the two share only `protocol.py`); `report.py` renders the page section. Modules import
one another at top level only, and the imports form a DAG (lakehouse_assets_tests/bench/
test_layout.py checks it). Nothing in `lakehouse_assets` imports this package.
"""
