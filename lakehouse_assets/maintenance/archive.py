"""Moving ingested landing files aside, beside the live zone:
`{landing_root}/{source}/date=D/f` -> `{landing_root}/_archive/{source}/date=D/f`.

A file moves only if it is still the version that was ingested (same size and
modification time as `audit/ingested_files` recorded); a file delivered again since
stays where it is, for the landing sensor. Bronze lists archived files of a day with
the live ones, so re-materializing an archived day reads the same files. On S3 the
copy asks for the configured server-side encryption, and the original is deleted only
after the copy succeeded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import ClientError

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.resources.landing import archive_root, canonical_uri, is_s3, s3_client, split_s3

MTIME_TOLERANCE_SECONDS = 1.0  # S3 keeps whole seconds


@dataclass
class ArchiveResult:
    moved: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # re-delivered since the ingest: left for the sensor
    missing: list[str] = field(default_factory=list)  # gone already (moved or deleted)


def archive_destination(landing_root: str, uri: str) -> str:
    """Where a live landing file goes: the same relative path under the archive folder."""
    root = canonical_uri(landing_root.rstrip("/"))
    if not uri.startswith(root + "/"):
        raise ValueError(f"{uri} is not under the landing root {root}")
    return f"{archive_root(root)}/{uri[len(root) + 1:]}"


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _stat(uri: str, client) -> tuple[int, datetime] | None:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head["ContentLength"], _naive_utc(head["LastModified"])
    path = Path(uri)
    if not path.is_file():
        return None
    stat = path.stat()
    return stat.st_size, _naive_utc(datetime.fromtimestamp(stat.st_mtime, tz=UTC))


def _move(uri: str, destination: str, encryption: S3Encryption, client) -> None:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        target_bucket, target_key = split_s3(destination)
        client.copy({"Bucket": bucket, "Key": key}, target_bucket, target_key, ExtraArgs=encryption.boto3_args())
        client.delete_object(Bucket=bucket, Key=key)
    else:
        Path(destination).parent.mkdir(parents=True, exist_ok=True)
        os.replace(uri, destination)


def archive_files(landing_root: str, audited: Iterable[Mapping], encryption: S3Encryption,
                  client=None) -> ArchiveResult:
    """Move every audited live file (rows with path, size_bytes, file_modified_at) that is unchanged."""
    client = client or (s3_client() if is_s3(landing_root) else None)
    result = ArchiveResult()
    archive = canonical_uri(archive_root(landing_root)) + "/"
    for row in audited:
        uri = row["path"]
        if uri.startswith(archive):
            continue  # read from the archive already (a re-materialized day)
        current = _stat(uri, client)
        if current is None:
            result.missing.append(uri)
            continue
        size, modified = current
        drift = abs((modified - _naive_utc(row["file_modified_at"])).total_seconds())
        if size != row["size_bytes"] or drift > MTIME_TOLERANCE_SECONDS:
            result.changed.append(uri)
            continue
        _move(uri, archive_destination(landing_root, uri), encryption, client)
        result.moved.append(uri)
    return result
