"""Archiving ingested landing files, locally and on S3 (moto server): unchanged files move
under `_archive` (S3 copies encrypted), re-delivered ones stay, and bronze still finds them."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.maintenance.archive import archive_destination, archive_files
from lakehouse_assets.resources.landing import list_landing_files
from lakehouse_assets.resources.storage import store_for

DAY = date(2024, 3, 1)


def audit_row(uri: str, size: int, modified: datetime) -> dict:
    """What audit/ingested_files records of a file (the columns archiving reads)."""
    return {"path": uri, "size_bytes": size, "file_modified_at": modified.astimezone(UTC).replace(tzinfo=None)}


def test_local_files_move_unless_delivered_again(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "orders" / f"date={DAY}"
    folder.mkdir(parents=True)
    kept, changed = folder / "a.csv", folder / "b.csv"
    kept.write_text("order_id\nA\n")
    changed.write_text("order_id\nB\n")
    rows = [audit_row(str(p), p.stat().st_size, list_landing_files(str(landing), "orders", [DAY])[i].modified_at)
            for i, p in enumerate((kept, changed))]
    changed.write_text("order_id\nB\nB2\n")  # delivered again after the ingest
    os.utime(changed, (time.time() + 5, time.time() + 5))

    result = archive_files(str(landing), rows + [audit_row(str(folder / "gone.csv"), 1, datetime.now(UTC))])
    assert result.moved == [str(kept)] and result.changed == [str(changed)]
    assert result.missing == [str(folder / "gone.csv")]
    archived = Path(archive_destination(str(landing), str(kept)))
    assert archived == landing / "_archive" / "orders" / f"date={DAY}" / "a.csv" and archived.is_file()
    # Bronze lists the day's archived file with the live one, so a re-run reads both.
    listed = {f.uri for f in list_landing_files(str(landing), "orders", [DAY])}
    assert listed == {str(archived), str(changed)}


@pytest.mark.slow
def test_s3_files_move_with_server_side_encryption(moto_s3):
    bucket = f"archive-{uuid.uuid4().hex[:10]}"
    moto_s3.create_bucket(bucket)
    client = moto_s3.client()
    store = store_for(f"s3://{bucket}/landing", client, S3Encryption())
    key = f"landing/orders/date={DAY}/a.csv"
    client.put_object(Bucket=bucket, Key=key, Body=b"order_id\nA\n")
    [landed] = list_landing_files(f"s3://{bucket}/landing", "orders", [DAY], store)
    result = archive_files(f"s3://{bucket}/landing", [audit_row(landed.uri, landed.size, landed.modified_at)], store)
    assert result.moved == [landed.uri]
    assert moto_s3.keys(bucket, "landing/") == [f"landing/_archive/orders/date={DAY}/a.csv"]
    head = client.head_object(Bucket=bucket, Key=f"landing/_archive/orders/date={DAY}/a.csv")
    assert head["ServerSideEncryption"] == "AES256"
    [relisted] = list_landing_files(f"s3://{bucket}/landing", "orders", [DAY], store)
    assert relisted.uri == f"s3://{bucket}/landing/_archive/orders/date={DAY}/a.csv"
