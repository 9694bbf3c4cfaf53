"""The landing zone: listing `{landing_root}/{source}/date=YYYY-MM-DD/` on local disk
or S3 and hashing file contents. Spark reads the files; this module only finds them
and says what they are, so bronze can record lineage and spot re-delivered content."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from lakehouse_assets.resources.storage import (
    FileInfo,
    FileStore,
    canonical_uri,
    is_s3,  # noqa: F401  (imported from here by io_managers.tables)
    store_for,
    to_spark_uri,
)
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


def date_folder(landing_root: str, source: str, day: date) -> str:
    return f"{landing_root.rstrip('/')}/{source}/{DATE_PREFIX}{day.isoformat()}"


def archive_root(landing_root: str) -> str:
    return f"{landing_root.rstrip('/')}/{ARCHIVE_DIR}"


def list_landing_files(landing_root: str, source: str, days: Iterable[date],
                       store: FileStore | None = None) -> list[LandingFile]:
    """Every file in the date folders of `source` for `days`, sorted by date then name.

    Archived files of those days count too, unless a file of the same name landed again,
    so re-materializing a day after its files were archived reads the same files."""
    store = store or store_for(landing_root)
    archived = store.folder_exists(archive_root(landing_root))
    files: list[LandingFile] = []
    for day in sorted(set(days)):
        live = list(_list_folder(store, date_folder(landing_root, source, day)))
        if archived:
            names = {entry.uri.rsplit("/", 1)[-1] for entry in live}
            live += [entry for entry in _list_folder(store, date_folder(archive_root(landing_root), source, day))
                     if entry.uri.rsplit("/", 1)[-1] not in names]
        for uri, size, modified, etag in live:
            files.append(LandingFile(uri, source, day, size, modified, format_of(uri), etag))
    return sorted(files, key=lambda f: (f.partition_date, f.uri))


def scan_landing_zone(landing_root: str, sources: Iterable[str],
                      store: FileStore | None = None) -> tuple[list[LandingFile], list[str]]:
    """Every live file of every date folder of `sources` (not the archive), and the paths
    that are not in a `date=YYYY-MM-DD` folder (skipped: they belong to no partition)."""
    store = store or store_for(landing_root)
    files: list[LandingFile] = []
    skipped: list[str] = []
    for source in sources:
        base = canonical_uri(f"{landing_root.rstrip('/')}/{source}")
        for uri, size, modified, etag in store.list_tree(base):
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


def _list_folder(store: FileStore, folder: str) -> Iterator[FileInfo]:
    """The files directly in `folder`, without in-flight uploads and markers (`.x`, `_x`)."""
    for entry in store.list_tree(folder):
        name = entry.uri[len(canonical_uri(folder).rstrip("/")) + 1:]
        if "/" not in name and not name.startswith((".", "_")):
            yield entry


def content_hash(uri: str, store: FileStore | None = None) -> str:
    """SHA-256 of the file's bytes, streamed, for local files and S3 objects alike."""
    digest = hashlib.sha256()
    with (store or store_for(uri)).open(uri) as stream:
        for chunk in iter(lambda: stream.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hash_files(files: list[LandingFile], store: FileStore | None = None) -> dict[str, str]:
    """Content hash per file uri; hashed on a small thread pool (hashlib releases the GIL)
    with one store (one S3 client) for all of them."""
    from concurrent.futures import ThreadPoolExecutor

    if not files:
        return {}
    store = store or store_for(files[0].uri)
    with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 2) * 2)) as pool:
        return dict(zip((f.uri for f in files), pool.map(lambda f: content_hash(f.uri, store), files)))
