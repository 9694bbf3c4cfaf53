"""The standard AWS environment, read once for every client that is not boto3.

boto3 reads `AWS_*` itself; Spark's s3a (`resources/spark.s3a_conf`) and delta-rs
(`io_managers/delta_rs.delta_rs_storage_options`) each want the same facts under names of
their own. Both take them from here, so which variables count and which wins (the
S3-specific endpoint over the general one, the region over the default region, keys only
as a pair) is decided in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AwsEnvironment:
    """Endpoint, region and static keys from the environment; None where not set."""

    endpoint: str | None = None
    region: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None

    def __repr__(self) -> str:  # keys are secrets: never in a log or a trace
        return f"AwsEnvironment(endpoint={self.endpoint!r}, region={self.region!r}, keys={self.has_keys})"

    @classmethod
    def read(cls, environ: Mapping[str, str] = os.environ) -> AwsEnvironment:
        has_keys = bool(environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"))
        return cls(
            endpoint=environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL") or None,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            access_key=environ["AWS_ACCESS_KEY_ID"] if has_keys else None,
            secret_key=environ["AWS_SECRET_ACCESS_KEY"] if has_keys else None,
            session_token=(environ.get("AWS_SESSION_TOKEN") or None) if has_keys else None,
        )

    @property
    def has_keys(self) -> bool:
        return self.access_key is not None

    @property
    def plain_http(self) -> bool:
        """Whether the endpoint is spoken to without TLS (a local S3 such as moto's server)."""
        return bool(self.endpoint) and not self.endpoint.startswith("https")
