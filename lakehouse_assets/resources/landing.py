"""The landing zone: listing `{landing_root}/{source}/date=YYYY-MM-DD/` on local disk
or S3 and hashing file contents. Spark reads the files; this module only finds them
and says what they are, so bronze can record lineage and spot re-delivered content."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import boto3

from lakehouse_assets.sources import format_of

HASH_CHUNK = 8 * 1024 * 1024
# Ingested files may be moved here (orchestration.archive_landing), keeping their
# `{source}/date=.../` folders. Names starting with `_` are never live landing folders.
ARCHIVE_DIR = "_archive"
DATE_PREFIX = "date="


@dataclass(frozen=True)
class LandingFile:
    """One landed file. `uri` is how the project names it (local path or s3://)."""

    uri: str
    source: str
    partition_date: date
    size: int
    modified_at: datetime
    format: str | None  # None: an extension the landing zone does not accept
    etag: str | None = None  # S3 only

    @property
    def version(self) -> str:
        """Changes whenever the file is delivered again: the S3 ETag, else size and mtime."""
        return self.etag or f"{self.size}:{self.modified_at.timestamp():.6f}"

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


def canonical_uri(uri: str) -> str:
    """How listings name files: `s3://` for an S3 object, whichever scheme the root was given in."""
    return "s3://" + uri.split("://", 1)[1] if is_s3(uri) else uri


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.split("://", 1)[1].partition("/")
    return bucket, key


def s3_client():
    """A boto3 S3 client from the standard AWS environment (AWS_ENDPOINT_URL included)."""
    return boto3.client("s3")


def date_folder(landing_root: str, source: str, day: date) -> str:
    return f"{landing_root.rstrip('/')}/{source}/{DATE_PREFIX}{day.isoformat()}"


def archive_root(landing_root: str) -> str:
    return f"{landing_root.rstrip('/')}/{ARCHIVE_DIR}"


Listing = tuple[str, int, datetime, "str | None"]  # uri, size, modified, etag


def list_landing_files(landing_root: str, source: str, days: Iterable[date], client=None) -> list[LandingFile]:
    """Every file in the date folders of `source` for `days`, sorted by date then name.

    Archived files of those days count too, unless a file of the same name landed again,
    so re-materializing a day after its files were archived reads the same files."""
    archived = _folder_exists(archive_root(landing_root), client)
    files: list[LandingFile] = []
    for day in sorted(set(days)):
        live = list(_list_folder(date_folder(landing_root, source, day), client))
        if archived:
            names = {uri.rsplit("/", 1)[-1] for uri, *_ in live}
            live += [entry for entry in _list_folder(date_folder(archive_root(landing_root), source, day), client)
                     if entry[0].rsplit("/", 1)[-1] not in names]
        for uri, size, modified, etag in live:
            files.append(LandingFile(uri, source, day, size, modified, format_of(uri), etag))
    return sorted(files, key=lambda f: (f.partition_date, f.uri))


def scan_landing_zone(landing_root: str, sources: Iterable[str], client=None) -> tuple[list[LandingFile], list[str]]:
    """Every live file of every date folder of `sources` (not the archive), and the paths
    that are not in a `date=YYYY-MM-DD` folder (skipped: they belong to no partition)."""
    files: list[LandingFile] = []
    skipped: list[str] = []
    for source in sources:
        base = canonical_uri(f"{landing_root.rstrip('/')}/{source}")
        for uri, size, modified, etag in _list_tree(base, client):
            folder, _, name = uri[len(base) + 1:].partition("/")
            day = _folder_date(folder)
            if day is None or not name or "/" in name:
                skipped.append(uri)
            elif not name.startswith((".", "_")):
                files.append(LandingFile(uri, source, day, size, modified, format_of(uri), etag))
    return sorted(files, key=lambda f: (f.partition_date, f.uri)), skipped


def _folder_date(folder: str) -> date | None:
    if not folder.startswith(DATE_PREFIX):
        return None
    try:
        return date.fromisoformat(folder[len(DATE_PREFIX):])
    except ValueError:
        return None


def _folder_exists(folder: str, client=None) -> bool:
    if not is_s3(folder):
        return Path(folder).is_dir()
    bucket, prefix = split_s3(folder)
    page = (client or s3_client()).list_objects_v2(Bucket=bucket, Prefix=prefix.rstrip("/") + "/", MaxKeys=1)
    return bool(page.get("KeyCount"))


def _list_folder(folder: str, client=None) -> Iterator[Listing]:
    """The files directly in `folder`, without in-flight uploads and markers (`.x`, `_x`)."""
    for uri, size, modified, etag in _list_tree(folder, client):
        name = uri[len(canonical_uri(folder).rstrip("/")) + 1:]
        if "/" not in name and not name.startswith((".", "_")):
            yield uri, size, modified, etag


def _list_tree(folder: str, client=None) -> Iterator[Listing]:
    """Every file below `folder`, at any depth."""
    if not is_s3(folder):
        root = Path(folder)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                stat = path.stat()
                yield str(path), stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC), None
        return
    bucket, prefix = split_s3(folder)
    paginator = (client or s3_client()).get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/"):
                etag = obj.get("ETag", "").strip('"') or None
                yield f"s3://{bucket}/{obj['Key']}", obj["Size"], obj["LastModified"], etag


def content_hash(uri: str, client=None) -> str:
    """SHA-256 of the file's bytes, streamed, for local files and S3 objects alike."""
    digest = hashlib.sha256()
    if is_s3(uri):
        bucket, key = split_s3(uri)
        body = (client or s3_client()).get_object(Bucket=bucket, Key=key)["Body"]
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
