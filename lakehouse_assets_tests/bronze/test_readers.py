"""Bronze keeps every data line: each landing format, column-count mismatches, lineage."""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse_assets.bronze.ingest import duplicate_content, read_bronze
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.sources import FX_RATES, ORDERS, STORES

DAY = date(2024, 3, 1)
FX_HEADER = "rate_date,currency,usd_per_unit"


def landing_dir(tmp_path, source, day=DAY):
    folder = tmp_path / source / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def bronze_of(spark, tmp_path, source, days=(DAY,)):
    files = list_landing_files(str(tmp_path), source.name, days)
    return read_bronze(spark, source, files, hash_files(files), "run-1", datetime.now(UTC))


def test_csv_lines_kept_and_mismatches_flagged(spark, tmp_path):
    folder = landing_dir(tmp_path, "fx_rates")
    (folder / "rates.csv").write_text(
        f"{FX_HEADER}\n2024-03-01,EUR,1.08\n2024-03-01,GBP\n2024-03-01,JPY,0.0067,extra\n"
        '"2024-03-01","C""AD",0.74\n\n'
    )
    rows = {r["currency"] or r["_raw_line"]: r for r in bronze_of(spark, tmp_path, FX_RATES).collect()}
    assert len(rows) == 4, "blank lines are not data lines; every other line is kept"
    assert rows["EUR"]["_raw_line"] is None and rows["EUR"]["usd_per_unit"] == "1.08"
    assert rows['C"AD']["_raw_line"] is None, "RFC 4180 doubled quotes are an escaped quote"
    short = [r for r in rows.values() if r["_raw_line"] == "2024-03-01,GBP"]
    long = [r for r in rows.values() if r["_raw_line"] == "2024-03-01,JPY,0.0067,extra"]
    assert short and short[0]["_parse_error"].startswith("expected 3")
    assert long and long[0]["_parse_error"].startswith("expected 3")


def test_csv_gz_jsonl_and_parquet(spark, tmp_path):
    folder = landing_dir(tmp_path, "stores")
    header = ",".join(STORES.columns)
    line = "S1,Main,1 High St,London,,UK,Ann,2020-01-01,2024-03-01 08:00:00"
    with gzip.open(folder / "a.csv.gz", "wt") as handle:
        handle.write(f"{header}\n{line}\n")
    record = dict(zip(STORES.columns, line.split(",")))
    (folder / "b.jsonl").write_text(
        json.dumps(record | {"store_id": "S2"}) + "\n"
        + json.dumps({"store_id": "S3"}) + "\n"
        + '{"store_id": "S4", truncated\n'
    )
    pq.write_table(pa.table({c: [record[c]] for c in STORES.columns}).set_column(
        0, "store_id", pa.array(["S5"])), folder / "c.parquet")
    pq.write_table(pa.table({"store_id": ["S6"], "other": ["x"]}), folder / "d.parquet")
    rows = bronze_of(spark, tmp_path, STORES).collect()
    assert len(rows) == 6
    good = sorted(r["store_id"] for r in rows if r["_raw_line"] is None)
    assert good == ["S1", "S2", "S5"]
    bad = {r["_source_format"]: r for r in rows if r["_raw_line"] is not None and r["_source_format"] == "parquet"}
    assert bad["parquet"]["_parse_error"] == "missing column(s) " + ", ".join(STORES.columns[1:])
    jsonl_bad = {r["_parse_error"] for r in rows if r["_source_format"] == "jsonl" and r["_raw_line"] is not None}
    assert jsonl_bad == {"missing key(s) " + ", ".join(STORES.columns[1:]), "not a single JSON object"}


def test_lineage_survives_unusual_file_names(spark, tmp_path):
    folder = landing_dir(tmp_path, "fx_rates")
    for name in ("with space.csv", "plus+sign.csv", "pct%41.csv"):
        (folder / name).write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n")
    rows = bronze_of(spark, tmp_path, FX_RATES).collect()
    assert len(rows) == 3
    assert all(r["_file_hash"] and r["_source_file"].startswith(str(folder)) for r in rows)
    assert {r["_partition_date"] for r in rows} == {DAY}
    assert {r["_run_id"] for r in rows} == {"run-1"}


def test_redelivered_content_is_marked(spark, tmp_path):
    folder = landing_dir(tmp_path, "fx_rates")
    (folder / "first.csv").write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n")
    (folder / "second.csv").write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n")
    files = list_landing_files(str(tmp_path), "fx_rates", [DAY])
    duplicates = duplicate_content(files, hash_files(files))
    assert len(duplicates) == 1
    rows = bronze_of(spark, tmp_path, FX_RATES).collect()
    assert sum(r["_duplicate_of"] is not None for r in rows) == 1


def test_hashes_given_as_a_future_are_waited_for_and_give_the_same_lineage(spark, tmp_path):
    """The ingest step hashes the files on a thread of its own while the lines are planned."""
    folder = landing_dir(tmp_path, "fx_rates")
    (folder / "first.csv").write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n")
    (folder / "second.csv").write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n2024-03-01,GBP,1.27\n")
    (folder / "third.csv").write_text(f"{FX_HEADER}\n2024-03-01,EUR,1.08\n")
    files = list_landing_files(str(tmp_path), "fx_rates", [DAY])
    read_at = datetime.now(UTC)
    lineage = ["_source_file", "_file_hash", "_duplicate_of", "currency", "_row_seq"]
    given = read_bronze(spark, FX_RATES, files, hash_files(files), "run-1", read_at).select(lineage)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashed = pool.submit(lambda: (time.sleep(0.2), hash_files(files))[1])
        waited = read_bronze(spark, FX_RATES, files, hashed, "run-1", read_at).select(lineage)
    assert sorted(waited.collect()) == sorted(given.collect())
    assert sum(r["_duplicate_of"] is not None for r in waited.collect()) == 1


def test_unsupported_extension_is_listed_not_read(spark, tmp_path):
    folder = landing_dir(tmp_path, "orders")
    (folder / "orders.txt").write_text("not ours")
    files = list_landing_files(str(tmp_path), "orders", [DAY])
    assert [f.format for f in files] == [None]
    assert bronze_of(spark, tmp_path, ORDERS).count() == 0
