"""Server-side encryption for every object the project writes to S3.

One setting (`s3_encryption` in `config/<env>.yaml`) drives both writers: Spark's
s3a (table files and Delta logs) and boto3 (landing files, archives). SSE-S3 is the
default; SSE-KMS takes a key id from config (a key id is not a secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass

SSE_S3 = "AES256"
SSE_KMS = "aws:kms"


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class S3Encryption:
    algorithm: str = SSE_S3
    kms_key_id: str | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> S3Encryption:
        """`s3_encryption` as a config file writes it: `mode` (sse-s3 or sse-kms) and, for
        sse-kms, `kms_key_id`. A problem raises pydantic's ValidationError (a ValueError)."""
        written = _AS_WRITTEN.validate_python({} if raw is None else raw)
        return cls(SSE_KMS, written.kms_key_id) if written.mode == "sse-kms" else cls(SSE_S3)

    def boto3_args(self) -> dict[str, str]:
        """Extra arguments for boto3 `put_object`, `copy_object` and `upload_file`."""
        args = {"ServerSideEncryption": self.algorithm}
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args

    def s3a_conf(self) -> dict[str, str]:
        """Hadoop s3a settings (with Spark's `spark.hadoop.` prefix)."""
        # Hadoop 3.3's names: AES256 is SSE-S3.
        conf = {"spark.hadoop.fs.s3a.encryption.algorithm": "SSE-KMS" if self.kms_key_id else SSE_S3}
        if self.kms_key_id:
            conf["spark.hadoop.fs.s3a.encryption.key"] = self.kms_key_id
        return conf


def _mode(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("sse-s3", "sse-kms"):
        return value.lower()
    raise ValueError(f"must be sse-s3 or sse-kms, not {value!r}")


@dataclass(frozen=True, config=ConfigDict(extra="forbid", coerce_numbers_to_str=True))
class _AsWritten:
    """The `s3_encryption` section of a config file (a key it does not know is an error)."""

    mode: Annotated[str, BeforeValidator(_mode)] = "sse-s3"
    kms_key_id: str | None = None  # ignored with sse-s3

    @model_validator(mode="after")
    def _kms_needs_a_key(self) -> _AsWritten:
        if self.mode == "sse-kms" and not self.kms_key_id:
            raise ValueError("mode sse-kms needs s3_encryption.kms_key_id")
        return self


_AS_WRITTEN = TypeAdapter(_AsWritten)
