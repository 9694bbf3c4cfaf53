"""`S3Store`: the `FileStore` of `s3://` and `s3a://` URIs, through one boto3 client.

Every object it writes (put, upload, copy) asks for the configured server-side encryption;
a seekable read (Parquet footers) is a series of ranged GETs, not a download.
"""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.exceptions import ClientError

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.resources.storage import FileInfo, FileStore, canonical_uri

NOT_FOUND = ("404", "NoSuchKey", "NotFound")


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.split("://", 1)[1].partition("/")
    return bucket, key


def s3_client():
    """A boto3 S3 client from the standard AWS environment (AWS_ENDPOINT_URL included)."""
    return boto3.client("s3")


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
