"""Figure 6: Spark's bronze -> silver orders step against DuckDB doing the same on one node
(target: at most 2x).

The DuckDB side reads the bronze/orders Parquet files Spark wrote, applies the SPEC §3
rules in SQL generated from the same source contract (`lakehouse_assets.sources`),
de-duplicates on (order_id, line_number) the way silver does, and writes silver and
quarantine as Parquet. Both sides' silver row counts are compared, so a rule that
drifted apart shows in the report. The Spark side is the time of the step(s) that write
those two tables.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from benchmarks.memory import bench_env, run_child
from benchmarks.report import Figure, Target, paired_ratios, seconds_list
from benchmarks.workspace import DAY, Workspace
from lakehouse_assets.sources import ORDERS, ColumnType
from lakehouse_assets.transforms.conform import SILVER_LINEAGE
from lakehouse_assets.transforms.validation import _PATTERNS  # the same type patterns as Spark

CASTS = {ColumnType.INTEGER: "INTEGER", ColumnType.DECIMAL: "DECIMAL(14,2)", ColumnType.DATE: "DATE",
         ColumnType.TIMESTAMP: "TIMESTAMP", ColumnType.CURRENCY: "VARCHAR"}
DUCKDB_TARGET = Target(2.0)
BRONZE_LINEAGE = ("_source_file", "_source_format", "_file_hash", "_file_size", "_file_modified_at",
                  "_duplicate_of", "_row_seq", "_ingested_at", "_run_id", "_partition_date")


def typed(column: str) -> str:
    kind = ORDERS.type_of(column)
    if kind == ColumnType.STRING:
        return f"NULLIF({column}, '')"
    return f"CASE WHEN regexp_matches({column}, '{_PATTERNS[kind]}') THEN TRY_CAST({column} AS {CASTS[kind]}) END"


def rule_cases(currencies: Sequence[str]) -> tuple[str, str]:
    """SQL CASE expressions for `reason` and `reason_detail`, rules in SPEC §3 order."""
    checks = [("malformed_row", "_raw_line IS NOT NULL OR _parse_error IS NOT NULL",
               "coalesce(_parse_error, 'line could not be parsed')")]
    checks += [("missing_value", f"coalesce({c}, '') = ''", f"'{c}'") for c in ORDERS.required]
    checks += [("bad_type", f"coalesce({c}, '') <> '' AND t_{c} IS NULL", f"'{c}'")
               for c in ORDERS.columns if ORDERS.type_of(c) != ColumnType.STRING]
    discount = "coalesce(t_discount_amount, 0)"
    checks += [("out_of_range", cond, f"'{c}'") for cond, c in (
        ("t_line_number < 1", "line_number"), ("t_quantity < 1", "quantity"), ("t_unit_price < 0", "unit_price"),
        (f"{discount} < 0 OR {discount} > t_quantity * t_unit_price", "discount_amount"))]
    checks.append(("wrong_partition", "CAST(t_order_ts AS DATE) <> _partition_date", "'order_ts'"))
    known = ", ".join(f"'{c}'" for c in currencies)
    checks.append(("unknown_currency", f"currency NOT IN ({known})", "'currency'"))
    reason = "CASE " + " ".join(f"WHEN {cond} THEN '{r}'" for r, cond, _ in checks) + " END"
    detail = "CASE " + " ".join(f"WHEN {cond} THEN {d}" for _, cond, d in checks) + " END"
    return reason, detail


def statements(bronze_files: list[str], out: Path, currencies: Sequence[str]) -> list[str]:
    files = ", ".join(f"'{f}'" for f in bronze_files)
    reason, detail = rule_cases(currencies)
    raw = ", ".join(ORDERS.columns)
    types = ", ".join(f"{typed(c)} AS t_{c}" for c in ORDERS.columns)
    key = ", ".join(f"t_{c}" for c in ORDERS.key)
    lineage = ", ".join(c for c in BRONZE_LINEAGE if c != "_partition_date")
    net = "CAST(t_quantity * t_unit_price - coalesce(t_discount_amount, 0) AS DECIMAL(14,2))"
    silver = ", ".join(f"coalesce(t_{c}, 0) AS {c}" if c == "discount_amount" else f"t_{c} AS {c}"
                       for c in ORDERS.columns)
    return [
        f"""CREATE TEMP TABLE typed AS SELECT {raw}, _raw_line, _parse_error, {lineage},
              CAST(_partition_date AS DATE) AS _partition_date, {types}
            FROM read_parquet([{files}], hive_partitioning = true)""",
        f"CREATE TEMP TABLE flagged AS SELECT *, {reason} AS reason, {detail} AS reason_detail FROM typed",
        f"""CREATE TEMP TABLE classified AS SELECT *, CASE
              WHEN _duplicate_of IS NOT NULL THEN 'duplicate'
              WHEN reason IS NOT NULL THEN 'quarantine'
              WHEN row_number() OVER (PARTITION BY _partition_date, reason IS NULL AND _duplicate_of IS NULL, {key}
                   ORDER BY _ingested_at DESC, _file_modified_at DESC, _source_file DESC, _row_seq DESC) = 1
              THEN 'silver' ELSE 'duplicate' END AS _outcome
            FROM flagged""",
        f"""COPY (SELECT {silver}, CAST(t_order_ts AS DATE) AS order_date, {net} AS net_amount,
                  {', '.join(SILVER_LINEAGE)} FROM classified WHERE _outcome = 'silver')
            TO '{out / 'silver'}' (FORMAT parquet, PER_THREAD_OUTPUT true)""",
        f"""COPY (SELECT {raw}, reason, reason_detail, _raw_line, _parse_error, {', '.join(BRONZE_LINEAGE)}
                  FROM classified WHERE _outcome = 'quarantine')
            TO '{out / 'quarantine'}' (FORMAT parquet, PER_THREAD_OUTPUT true)""",
    ]


def local_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else uri


def run_duckdb(bronze_files: list[str], out: Path, currencies: Sequence[str]) -> tuple[float, int]:
    """Seconds for bronze -> silver + quarantine, and the silver rows written."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        began = time.perf_counter()
        for sql in statements([local_path(f) for f in bronze_files], out, currencies):
            con.execute(sql)
        seconds = time.perf_counter() - began
        rows = con.execute("SELECT count(*) FROM classified WHERE _outcome = 'silver'").fetchone()[0]
    finally:
        con.close()
    return seconds, int(rows)


def figure(ws: Workspace, landing: Path, lakehouse: Path, repeat: int, echo=print) -> Figure:
    """Spark's step(s) writing silver and quarantine orders from the day's bronze, against
    DuckDB, `repeat` times alternating."""
    from lakehouse_assets.settings import load_settings

    currencies = load_settings().currencies
    spark, duck, counts = [], [], []
    for i in range(repeat):
        run = run_child("validate", {"day": DAY.isoformat()}, bench_env(landing, lakehouse))
        seconds, rows = run_duckdb(run.result["bronze_files"], ws.root / "duckdb" / str(i), currencies)
        ws.drop(ws.root / "duckdb" / str(i))
        spark.append(run.result["seconds"])
        duck.append(seconds)
        counts.append((run.result["silver_rows"], rows))
        echo(f"  repeat {i + 1}/{repeat} spark silver+quarantine {spark[-1]:6.1f} s, duckdb {seconds:6.1f} s, "
             f"silver rows {counts[-1][0]:,} / {rows:,}")
    same = all(a == b for a, b in counts)
    return Figure("6", "Spark bronze → silver orders step / DuckDB doing the same single-node", "x",
                  paired_ratios(spark, duck), DUCKDB_TARGET,
                  f"Spark step(s) writing silver + quarantine orders {statistics.median(spark):.1f} s "
                  f"(runs {seconds_list(spark)}); "
                  f"DuckDB {statistics.median(duck):.1f} s (runs {seconds_list(duck)}); silver rows "
                  f"{'equal' if same else 'DIFFER'}: Spark {counts[0][0]:,}, DuckDB {counts[0][1]:,}.")
