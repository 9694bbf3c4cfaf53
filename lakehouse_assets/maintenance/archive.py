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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lakehouse_assets.resources.landing import archive_root, canonical_uri
from lakehouse_assets.resources.storage import FileStore, store_for

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


def archive_files(landing_root: str, audited: Iterable[Mapping], store: FileStore | None = None) -> ArchiveResult:
    """Move every audited live file (rows with path, size_bytes, file_modified_at) that is unchanged.

    `store` is the landing zone's (by default the store of `landing_root`, with the
    configured encryption); on S3 it copies encrypted, then deletes the original."""
    store = store or store_for(landing_root)
    result = ArchiveResult()
    archive = canonical_uri(archive_root(landing_root)) + "/"
    for row in audited:
        uri = row["path"]
        if uri.startswith(archive):
            continue  # read from the archive already (a re-materialized day)
        current = store.stat(uri)
        if current is None:
            result.missing.append(uri)
            continue
        drift = abs((_naive_utc(current.modified_at) - _naive_utc(row["file_modified_at"])).total_seconds())
        if current.size != row["size_bytes"] or drift > MTIME_TOLERANCE_SECONDS:
            result.changed.append(uri)
            continue
        store.move(uri, archive_destination(landing_root, uri))
        result.moved.append(uri)
    return result
