"""The landing zone: listing `{landing_root}/{source}/date=YYYY-MM-DD/` on local disk
or S3 and hashing file contents. Spark reads the files; this module only finds them
and says what they are, so bronze can record lineage and spot re-delivered content."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import boto3

from lakehouse_assets.sources import format_of

HASH_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class LandingFile:
    """One landed file. `uri` is how the project names it (local path or s3://)."""

    uri: str
    source: str
    partition_date: date
    size: int
    modified_at: datetime
    format: str | None  # None: an extension the landing zone does not accept

    @property
    def spark_path(self) -> str:
        return to_spark_uri(self.uri)

    @property
    def name(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


def is_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def to_spark_uri(uri: str) -> str:
    """Spark reaches S3 through the s3a filesystem."""
    return "s3a://" + uri.split("://", 1)[1] if is_s3(uri) else uri


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.split("://", 1)[1].partition("/")
    return bucket, key


def s3_client():
    """A boto3 S3 client from the standard AWS environment (AWS_ENDPOINT_URL included)."""
    return boto3.client("s3")


def date_folder(landing_root: str, source: str, day: date) -> str:
    return f"{landing_root.rstrip('/')}/{source}/date={day.isoformat()}"


def list_landing_files(landing_root: str, source: str, days: Iterable[date]) -> list[LandingFile]:
    """Every file in the date folders of `source` for `days`, sorted by date then name."""
    files: list[LandingFile] = []
    for day in sorted(set(days)):
        folder = date_folder(landing_root, source, day)
        listing = _list_s3(folder) if is_s3(folder) else _list_local(folder)
        for uri, size, modified in listing:
            files.append(LandingFile(uri, source, day, size, modified, format_of(uri)))
    return sorted(files, key=lambda f: (f.partition_date, f.uri))


def _list_local(folder: str) -> Iterator[tuple[str, int, datetime]]:
    root = Path(folder)
    if not root.is_dir():
        return
    for path in sorted(root.iterdir()):
        if path.is_file() and not path.name.startswith((".", "_")):
            stat = path.stat()
            yield str(path), stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)


def _list_s3(folder: str) -> Iterator[tuple[str, int, datetime]]:
    bucket, prefix = split_s3(folder)
    paginator = s3_client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        for obj in page.get("Contents", []):
            name = obj["Key"].rsplit("/", 1)[-1]
            if name and not name.startswith((".", "_")) and "/" not in obj["Key"][len(prefix) + 1:]:
                yield f"s3://{bucket}/{obj['Key']}", obj["Size"], obj["LastModified"]


def content_hash(uri: str) -> str:
    """SHA-256 of the file's bytes, streamed, for local files and S3 objects alike."""
    digest = hashlib.sha256()
    if is_s3(uri):
        bucket, key = split_s3(uri)
        body = s3_client().get_object(Bucket=bucket, Key=key)["Body"]
        for chunk in iter(lambda: body.read(HASH_CHUNK), b""):
            digest.update(chunk)
    else:
        with open(uri, "rb") as handle:
            for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


def hash_files(files: list[LandingFile]) -> dict[str, str]:
    """Content hash per file uri; hashed on a small thread pool (hashlib releases the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 2) * 2)) as pool:
        return dict(zip((f.uri for f in files), pool.map(content_hash, (f.uri for f in files))))
