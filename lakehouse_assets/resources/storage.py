"""Files on local disk or S3 behind one interface, chosen by URI: `store_for(uri)`.

Landing files, archives and report charts are read and written through a `FileStore`,
so no caller branches on the scheme itself. `LocalStore` works on paths (a `file:`
prefix is dropped); `S3Store` on `s3://` and `s3a://` URIs with one boto3 client from
the standard AWS environment (`AWS_ENDPOINT_URL` included), and every object it writes
(put, upload, copy) asks for the configured server-side encryption (`s3_encryption`,
read from `config/<env>.yaml` when first needed unless given); it is in `s3_store.py`.
Listings name S3 objects `s3://`, whichever scheme the folder was given in. Spark and
delta-rs reach the same files through their own filesystems (`to_spark_uri`,
io_managers/tables.py).
"""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from lakehouse_assets.encryption import S3Encryption


def is_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def to_spark_uri(uri: str) -> str:
    """Spark reaches S3 through the s3a filesystem."""
    return "s3a://" + uri.split("://", 1)[1] if is_s3(uri) else uri


def canonical_uri(uri: str) -> str:
    """How listings name files: `s3://` for an S3 object, whichever scheme the root was given in."""
    return "s3://" + uri.split("://", 1)[1] if is_s3(uri) else uri


class FileInfo(NamedTuple):
    """One file as a listing or `stat` sees it."""

    uri: str
    size: int
    modified_at: datetime  # timezone-aware, UTC
    etag: str | None = None  # S3 only


class FileStore(ABC):
    """The file operations of the project, the same on local disk and S3."""

    @abstractmethod
    def list_tree(self, folder: str) -> Iterator[FileInfo]:
        """Every file below `folder`, at any depth, in name order; nothing if there is none."""

    @abstractmethod
    def folder_exists(self, folder: str) -> bool:
        """Whether `folder` holds anything (S3 has no empty folders)."""

    @abstractmethod
    def stat(self, uri: str) -> FileInfo | None:
        """Size and modification time of one file; None if it does not exist."""

    @abstractmethod
    def open(self, uri: str) -> AbstractContextManager[BinaryIO]:
        """The file's bytes as a forward-only binary stream."""

    @abstractmethod
    def open_seekable(self, uri: str, size: int | None = None) -> AbstractContextManager[BinaryIO]:
        """A seekable binary file (on S3 through ranged GETs: Parquet footers); `size` saves a HEAD."""

    @abstractmethod
    def put_bytes(self, uri: str, data: bytes, content_type: str | None = None) -> None:
        """Write `data` as the file `uri` (parent folders made as needed)."""

    @abstractmethod
    def staged(self, uri: str, copies: Sequence[str] = ()) -> AbstractContextManager[Path]:
        """A local path to write; on a clean exit its file is published
        whole as `uri` (and as each of `copies`), so readers never see half a file."""

    @abstractmethod
    def copy(self, source: str, destination: str) -> None: ...

    @abstractmethod
    def move(self, source: str, destination: str) -> None:
        """Copy, then delete the source (on S3, only after the copy succeeded)."""

    @abstractmethod
    def delete(self, uri: str) -> None:
        """Remove a file; nothing happens if it is gone already."""


def _local(uri: str) -> Path:
    return Path(uri.removeprefix("file:"))


class LocalStore(FileStore):
    def list_tree(self, folder: str) -> Iterator[FileInfo]:
        root = _local(folder)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                yield self._info(path)

    def folder_exists(self, folder: str) -> bool:
        return _local(folder).is_dir()

    def stat(self, uri: str) -> FileInfo | None:
        path = _local(uri)
        return self._info(path) if path.is_file() else None

    @staticmethod
    def _info(path: Path) -> FileInfo:
        stat = path.stat()
        return FileInfo(str(path), stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC))

    @contextmanager
    def open(self, uri: str) -> Iterator[BinaryIO]:
        with open(_local(uri), "rb") as handle:
            yield handle

    def open_seekable(self, uri: str, size: int | None = None) -> AbstractContextManager[BinaryIO]:
        return self.open(uri)  # a local file seeks

    def put_bytes(self, uri: str, data: bytes, content_type: str | None = None) -> None:
        path = _local(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    @contextmanager
    def staged(self, uri: str, copies: Sequence[str] = ()) -> Iterator[Path]:
        target = _local(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.partial"  # hidden: listings skip it
        try:
            yield partial
            os.replace(partial, target)
            for copy in copies:
                self.copy(str(target), copy)
        finally:
            partial.unlink(missing_ok=True)

    def copy(self, source: str, destination: str) -> None:
        _local(destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_local(source), _local(destination))

    def move(self, source: str, destination: str) -> None:
        _local(destination).parent.mkdir(parents=True, exist_ok=True)
        os.replace(_local(source), _local(destination))

    def delete(self, uri: str) -> None:
        _local(uri).unlink(missing_ok=True)


def store_for(uri: str, client=None, encryption: S3Encryption | None = None) -> FileStore:
    """The store of `uri`'s scheme. `client` (boto3) and `encryption` only matter on S3;
    without them the store makes its client and reads the encryption from config when needed."""
    if not is_s3(uri):
        return LocalStore()
    from lakehouse_assets.resources.s3_store import S3Store  # boto3 is imported only for S3

    return S3Store(client, encryption)
