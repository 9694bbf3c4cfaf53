"""Files on local disk or S3 behind one interface, chosen by URI: `store_for(uri)`.

Landing files, archives and report charts are read and written through a `FileStore`,
so no caller branches on the scheme itself. `LocalStore` works on paths (a `file:`
prefix is dropped); `S3Store` on `s3://` and `s3a://` URIs with one boto3 client from
the standard AWS environment (`AWS_ENDPOINT_URL` included), and every object it writes
(put, upload, copy) asks for the configured server-side encryption (`s3_encryption`,
read from `config/<env>.yaml` when first needed unless given). Listings name S3 objects
`s3://`, whichever scheme the folder was given in. Spark and delta-rs reach the same
files through their own filesystems (`to_spark_uri`, io_managers/tables.py).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

import boto3
from botocore.exceptions import ClientError

from lakehouse_assets.encryption import S3Encryption

NOT_FOUND = ("404", "NoSuchKey", "NotFound")


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


class S3Store(FileStore):
    """S3 through one boto3 client (made when first needed unless given)."""

    def __init__(self, client=None, encryption: S3Encryption | None = None):
        self._client, self._encryption = client, encryption
        self._lock = threading.Lock()  # boto3 clients are shared across threads, not made in them

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = s3_client()
            return self._client

    @property
    def encryption(self) -> S3Encryption:
        if self._encryption is None:
            from lakehouse_assets.settings import load_settings

            self._encryption = load_settings().s3_encryption
        return self._encryption

    def _sse(self) -> dict[str, str]:
        return self.encryption.boto3_args()

    def list_tree(self, folder: str) -> Iterator[FileInfo]:
        bucket, prefix = split_s3(folder)
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith("/"):
                    etag = obj.get("ETag", "").strip('"') or None
                    yield FileInfo(f"s3://{bucket}/{obj['Key']}", obj["Size"], obj["LastModified"], etag)

    def folder_exists(self, folder: str) -> bool:
        bucket, prefix = split_s3(folder)
        page = self.client.list_objects_v2(Bucket=bucket, Prefix=prefix.rstrip("/") + "/", MaxKeys=1)
        return bool(page.get("KeyCount"))

    def stat(self, uri: str) -> FileInfo | None:
        bucket, key = split_s3(uri)
        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND:
                return None
            raise
        etag = head.get("ETag", "").strip('"') or None
        return FileInfo(canonical_uri(uri), head["ContentLength"], head["LastModified"], etag)

    @contextmanager
    def open(self, uri: str) -> Iterator[BinaryIO]:
        bucket, key = split_s3(uri)
        body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            yield body
        finally:
            body.close()

    @contextmanager
    def open_seekable(self, uri: str, size: int | None = None) -> Iterator[BinaryIO]:
        bucket, key = split_s3(uri)
        if size is None:
            size = self.client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        with io.BufferedReader(_S3RangeReader(self.client, bucket, key, size)) as reader:
            yield reader

    def put_bytes(self, uri: str, data: bytes, content_type: str | None = None) -> None:
        bucket, key = split_s3(uri)
        extra = {"ContentType": content_type} if content_type else {}
        self.client.put_object(Bucket=bucket, Key=key, Body=data, **extra, **self._sse())

    @contextmanager
    def staged(self, uri: str, copies: Sequence[str] = ()) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="lakehouse-staged-") as tmp:
            local = Path(tmp) / uri.rsplit("/", 1)[-1]
            yield local
            for target in (uri, *copies):  # boto3 switches to multipart for big files
                bucket, key = split_s3(target)
                self.client.upload_file(str(local), bucket, key, ExtraArgs=self._sse())

    def copy(self, source: str, destination: str) -> None:
        bucket, key = split_s3(source)
        target_bucket, target_key = split_s3(destination)
        self.client.copy({"Bucket": bucket, "Key": key}, target_bucket, target_key, ExtraArgs=self._sse())

    def move(self, source: str, destination: str) -> None:
        self.copy(source, destination)
        self.delete(source)

    def delete(self, uri: str) -> None:
        bucket, key = split_s3(uri)
        self.client.delete_object(Bucket=bucket, Key=key)


class _S3RangeReader(io.RawIOBase):
    """A seekable read-only view of an S3 object through ranged GETs."""

    def __init__(self, client, bucket: str, key: str, size: int):
        self._client, self._bucket, self._key = client, bucket, key
        self._size, self._pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self._size or len(buffer) == 0:
            return 0
        end = min(self._pos + len(buffer), self._size) - 1
        data = self._client.get_object(Bucket=self._bucket, Key=self._key,
                                       Range=f"bytes={self._pos}-{end}")["Body"].read()
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def store_for(uri: str, client=None, encryption: S3Encryption | None = None) -> FileStore:
    """The store of `uri`'s scheme. `client` (boto3) and `encryption` only matter on S3;
    without them the store makes its client and reads the encryption from config when needed."""
    return S3Store(client, encryption) if is_s3(uri) else LocalStore()
