"""audit/ingested_files rows come from the step's own figures, one per listed file (no JVM)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lakehouse_assets.ingest.figures import FileFigures
from lakehouse_assets.ingest.inventory import (
    DUPLICATE_CONTENT,
    EMPTY,
    INGESTED,
    REJECTED,
    SCHEMA,
    STATUS,
    inventory_rows,
)
from lakehouse_assets.resources.landing import LandingFile

DAY = date(2024, 3, 1)
MODIFIED = datetime(2024, 3, 2, 1, 0, tzinfo=UTC)
READ = datetime(2024, 3, 2, 2, 0)


def landed(tmp_path, name: str, text: str, fmt: str | None = "csv") -> LandingFile:
    path = tmp_path / name
    path.write_text(text)
    return LandingFile(str(path), "orders", DAY, path.stat().st_size, MODIFIED, fmt)


def test_every_listed_file_gets_a_row_with_its_status(tmp_path):
    good = landed(tmp_path, "a.csv", "h\n1\n2\n")
    again = landed(tmp_path, "b.csv", "h\n1\n2\n")
    header_only = landed(tmp_path, "c.csv", "h\n")
    unreadable = landed(tmp_path, "d.xlsx", "binary", fmt=None)
    figures = {
        good.uri: FileFigures(DAY, lines=2, ingested_at=READ, file_hash="h-a"),
        again.uri: FileFigures(DAY, lines=2, ingested_at=READ, file_hash="h-a", duplicate_of=good.uri),
    }
    rows = inventory_rows([good, again, header_only, unreadable], figures, {good.uri: "h-a"}, "run-1")
    by_path = {r[0]: r for r in rows}
    assert [by_path[f.uri][STATUS] for f in (good, again, header_only, unreadable)] == [
        INGESTED, DUPLICATE_CONTENT, EMPTY, REJECTED]
    assert by_path[good.uri][6] == 2 and by_path[header_only.uri][6] == 0
    assert by_path[again.uri][8] == good.uri
    # A file bronze did not read is hashed here, so the sensor still recognises its content.
    assert by_path[header_only.uri][5] and by_path[unreadable.uri][5]
    assert all(len(r) == len(SCHEMA.fields) and r[9] == "run-1" for r in rows)
    assert by_path[good.uri][11] == READ
