"""The independent landed-line count agrees with what bronze reads, file by file,
on the edge cases of docs/decisions.md 1 (blank lines, header, CRLF, gzip, JSONL,
Parquet), on local disk and on S3."""

from __future__ import annotations

import gzip
import io
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse_assets.bronze.per_file import FILE_PATH
from lakehouse_assets.bronze.readers import READERS
from lakehouse_assets.checks.landed import count_data_lines, landed_count, landed_rows
from lakehouse_assets.resources.landing import list_landing_files
from lakehouse_assets.sources import FX_RATES

DAY = date(2024, 3, 5)
HEADER = "rate_date,currency,usd_per_unit"
ROW, ROW2 = "2024-03-05,EUR,1.1", '2024-03-05,GBP,"1.2"'
JSON_ROW = '{"rate_date":"2024-03-05","currency":"EUR","usd_per_unit":"1.1"}'
CSV_FILES = {
    "blank_lines.csv": f"{HEADER}\n{ROW}\n\n{ROW2}\n\n",
    "whitespace_lines.csv": f"{HEADER}\n{ROW}\n   \n\t\n{ROW2}\n",
    "crlf.csv": f"{HEADER}\r\n{ROW}\r\n\r\n{ROW2}\r\n",
    "header_only.csv": f"{HEADER}\n",
    "empty.csv": "",
    "blank_before_header.csv": f"\n{HEADER}\n{ROW}\n",
    "no_final_newline.csv": f"{HEADER}\n{ROW}",
    "short_line.csv": f"{HEADER}\n{ROW}\n2024-03-05,EUR\n",
}
EXPECTED = {"blank_lines.csv": 2, "whitespace_lines.csv": 2, "crlf.csv": 2, "header_only.csv": 0, "empty.csv": 0,
            "blank_before_header.csv": 1, "no_final_newline.csv": 1, "short_line.csv": 2,
            "gzipped.csv.gz": 2, "lines.jsonl": 3, "rows.parquet": 4}


def write_landing(root) -> None:
    folder = root / "fx_rates" / f"date={DAY.isoformat()}"
    folder.mkdir(parents=True)
    for name, text in CSV_FILES.items():
        (folder / name).write_bytes(text.encode())
    (folder / "gzipped.csv.gz").write_bytes(gzip.compress(f"{HEADER}\n{ROW}\n\n{ROW2}\n".encode()))
    (folder / "lines.jsonl").write_text(f"{JSON_ROW}\n\n  \n{JSON_ROW}\n{{broken\n")
    table = pa.table({c: ["2024-03-05", "EUR", "1.1", "x"][:1] * 4 for c in FX_RATES.columns})
    pq.write_table(table, folder / "rows.parquet", row_group_size=1)
    (folder / "notes.txt").write_text("not a landing format\n")


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    write_landing(root)
    return root


def test_count_data_lines_of_a_stream():
    assert count_data_lines(io.BytesIO(b"h\na\n\n b\n"), has_header=True) == 2
    assert count_data_lines(io.BytesIO(b"a\r\nb"), has_header=False) == 2
    assert count_data_lines(io.BytesIO(b""), has_header=True) == 0


def test_each_file_counts_as_bronze_reads_it(landing, spark):
    files = [f for f in list_landing_files(str(landing), "fx_rates", [DAY]) if f.format is not None]
    counted = {f.name: landed_rows(f) for f in files}
    assert counted == EXPECTED
    read: dict[str, int] = {}
    for fmt in {f.format for f in files}:  # one Spark job per format, counted per file
        frame = READERS[fmt](spark, [f.spark_path for f in files if f.format == fmt], FX_RATES)
        read.update({r[FILE_PATH].rsplit("/", 1)[-1]: r["count"] for r in frame.groupBy(FILE_PATH).count().collect()})
    assert {name: read.get(name, 0) for name in counted} == counted
    assert landed_count(str(landing), "fx_rates", [DAY]) == (sum(EXPECTED.values()), len(EXPECTED))


def test_s3_objects_count_the_same(landing, moto_s3):
    moto_s3.create_bucket("dq-landing")
    moto_s3.upload_tree(landing, "dq-landing", "landing")
    assert landed_count("s3://dq-landing/landing", "fx_rates", [DAY]) == landed_count(str(landing), "fx_rates", [DAY])
