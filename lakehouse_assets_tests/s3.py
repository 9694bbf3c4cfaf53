"""A real S3 endpoint for tests: moto in server mode on loopback, spoken to over HTTP
by boto3 and by Spark's s3a, exactly as the code would talk to AWS."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import boto3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoS3:
    """Start a moto server and point the standard AWS environment at it."""

    ENV = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing-secret",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> MotoS3:
        self.server.start()
        env = {**self.ENV, "AWS_ENDPOINT_URL": self.endpoint}
        self._saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        return self

    def __exit__(self, *exc) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self.server.stop()

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint)

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def upload_tree(self, local: Path, bucket: str, prefix: str) -> int:
        """Copy every file under `local` to `s3://bucket/prefix/...`; returns the count."""
        client = self.client()
        count = 0
        for path in sorted(local.rglob("*")):
            if path.is_file():
                client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(local).as_posix()}")
                count += 1
        return count

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]
