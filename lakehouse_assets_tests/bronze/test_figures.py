"""Bronze's file figures taken while it is written (`observed_figures`) equal the grouped
aggregation a validating step runs (`pending_figures`), file by file and date by date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.bronze.ingest import duplicate_content, read_bronze
from lakehouse_assets.ingest import figures as figures_module
from lakehouse_assets.ingest.figures import FileFigures, observed_figures, pending_figures
from lakehouse_assets.resources.landing import hash_files, list_landing_files
from lakehouse_assets.sources import STORES

DAYS = (date(2024, 3, 1), date(2024, 3, 2))
HEADER = ",".join(STORES.columns)
LINE = "S{n},Main,1 High St,London,,UK,Ann,2020-01-01,2024-03-01 08:00:00"


def landed(tmp_path):
    """Four files over two dates: a clean CSV and its re-delivery; a CSV with a short line
    and a bad byte; JSON lines with missing keys."""
    first, second = (tmp_path / "stores" / f"date={d.isoformat()}" for d in DAYS)
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    clean = f"{HEADER}\n{LINE.format(n=1)}\n{LINE.format(n=2)}\n"
    (first / "a.csv").write_text(clean)
    (first / "b.csv").write_text(clean)
    (second / "c.csv").write_bytes(f"{HEADER}\nS3,short\n".encode() + LINE.format(n=4).encode() + b"\xff\n")
    (second / "d.jsonl").write_text('{"store_id": "S5"}\n{"store_id": "S6", "store_name": "x"}\n')
    return list_landing_files(str(tmp_path), "stores", DAYS)


def known(files, hashes, read_at) -> dict[str, FileFigures]:
    """What the ingest step knows of each file before reading it."""
    duplicates = duplicate_content(files, hashes)
    return {f.uri: FileFigures(f.partition_date, ingested_at=read_at.replace(tzinfo=None), file_hash=hashes[f.uri],
                               duplicate_of=duplicates.get(f.uri)) for f in files}


def test_observed_figures_equal_the_grouped_ones(spark, tmp_path):
    files = landed(tmp_path / "landing")
    hashes, read_at = hash_files(files), datetime.now(UTC)
    bronze = read_bronze(spark, STORES, files, hashes, "run-1", read_at)
    observed, figures_of = observed_figures(bronze, known(files, hashes, read_at))
    observed.write.format("delta").partitionBy("_partition_date").save(str(tmp_path / "bronze"))
    written = spark.read.format("delta").load(str(tmp_path / "bronze"))
    assert "__file_index" not in written.columns and written.count() == 8

    measured, grouped = figures_of(), pending_figures(bronze).run()
    assert measured.files == grouped.files and measured.dates == grouped.dates
    by_name = {uri.rsplit("/", 1)[1]: f for uri, f in measured.files.items()}
    assert {n: f.lines for n, f in by_name.items()} == {"a.csv": 2, "b.csv": 2, "c.csv": 2, "d.jsonl": 2}
    assert by_name["b.csv"].duplicate_of.endswith("a.csv")
    assert (by_name["c.csv"].malformed, by_name["c.csv"].bad_encoding) == (2, 1)
    assert by_name["d.jsonl"].missing_lines == 2 and by_name["d.jsonl"].missing_first.startswith("missing key")
    assert {d: c.bronze for d, c in measured.dates.items()} == {DAYS[0]: 4, DAYS[1]: 4}


def test_rows_of_a_file_not_listed_fail_the_figures(spark, tmp_path):
    files = landed(tmp_path / "landing")
    hashes, read_at = hash_files(files), datetime.now(UTC)
    bronze = read_bronze(spark, STORES, files, hashes, "run-1", read_at)
    observed, figures_of = observed_figures(bronze, known(files[1:], hashes, read_at))
    observed.write.format("delta").save(str(tmp_path / "bronze"))
    with pytest.raises(RuntimeError, match="came from none of the step's 3 landing"):
        figures_of()


def test_figures_of_a_frame_never_written_say_so_instead_of_waiting(spark, monkeypatch):
    monkeypatch.setattr(figures_module, "OBSERVED_WAIT_SECONDS", 0.5)
    frame = spark.range(3).select(F.lit("f").alias("_source_file"), *[
        F.lit(None).cast(t).alias(c) for c, t in (("_parse_error", "string"), ("_raw_line", "string"),
                                                   ("_ingested_at", "timestamp"), ("_file_hash", "string"),
                                                   ("_duplicate_of", "string"), ("_partition_date", "date"))])
    _, figures_of = observed_figures(frame, {"f": FileFigures(date(2024, 3, 1))})
    with pytest.raises(RuntimeError, match="never written"):
        figures_of()
