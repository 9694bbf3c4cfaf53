"""Server-side encryption for every object the project writes to S3.

One setting (`s3_encryption` in `config/<env>.yaml`) drives both writers: Spark's
s3a (table files and Delta logs) and boto3 (landing files, archives). SSE-S3 is the
default; SSE-KMS takes a key id from config (a key id is not a secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SSE_S3 = "AES256"
SSE_KMS = "aws:kms"


@dataclass(frozen=True)
class S3Encryption:
    algorithm: str = SSE_S3
    kms_key_id: str | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> S3Encryption:
        raw = dict(raw or {})
        mode = str(raw.get("mode", "sse-s3")).lower()
        if mode == "sse-s3":
            return cls(SSE_S3)
        if mode == "sse-kms":
            key = raw.get("kms_key_id")
            if not key:
                raise ValueError("s3_encryption.mode sse-kms needs s3_encryption.kms_key_id")
            return cls(SSE_KMS, str(key))
        raise ValueError(f"s3_encryption.mode must be sse-s3 or sse-kms, not {mode!r}")

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
