"""Where secrets come from: the environment, or AWS Secrets Manager by name.

Resources take secrets through Dagster's `EnvVar`, so a value is read when a run
starts and never stored in run config, `config/` or the repository. A variable may
hold the secret itself or a reference `aws-secretsmanager:<secret name or ARN>`,
resolved here at run time with boto3 (region and endpoint from the standard AWS
environment).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SECRETS_MANAGER_PREFIX = "aws-secretsmanager:"

# Every secret the project reads. Spark's redaction pattern must match each name
# (lakehouse_assets_tests/resources/test_secrets.py holds it to that).
SECRET_ENV_VARS = (
    "LAKEHOUSE_PII_HMAC_KEY",
    "LAKEHOUSE_PII_SALT",
    "LAKEHOUSE_SLACK_WEBHOOK_URL",
    "LAKEHOUSE_FX_API_TOKEN",
    "LAKEHOUSE_MART_PASSWORD",
    "LAKEHOUSE_CRM_PASSWORD",
    "LAKEHOUSE_BI_PASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
# The same secrets under the names they take inside Spark's configuration.
SECRET_SPARK_KEYS = (
    "spark.hadoop.fs.s3a.access.key",
    "spark.hadoop.fs.s3a.secret.key",
    "spark.hadoop.fs.s3a.session.token",
    "spark.hadoop.fs.s3a.encryption.key",
)
SPARK_REDACTION_REGEX = "(?i)secret|password|token|access[._]key|credential|hmac|salt|webhook|encryption[.]key"
HMAC_BLOCK_BYTES = 64  # SHA-256 block size (RFC 2104), for the masking keys' pads


class SecretError(RuntimeError):
    """A secret is missing or cannot be read; the message names it, never its value."""


@dataclass(frozen=True)
class MaskingKeys:
    """The secrets PII masking needs; repr never shows them."""

    hmac_key: str
    salt: str

    def __repr__(self) -> str:
        return "MaskingKeys(<redacted>)"

    def pads(self) -> tuple[bytes, bytes]:
        """HMAC-SHA256 inner and outer key pads (RFC 2104)."""
        key = self.hmac_key.encode("utf-8")
        if len(key) > HMAC_BLOCK_BYTES:
            key = hashlib.sha256(key).digest()
        key = key.ljust(HMAC_BLOCK_BYTES, b"\0")
        return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def resolve_secret(value: str, name: str) -> str:
    """The secret `value` of the variable `name`, following a Secrets Manager reference."""
    if not value.startswith(SECRETS_MANAGER_PREFIX):
        return value
    secret_id = value[len(SECRETS_MANAGER_PREFIX):]
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretError(f"{name}: AWS Secrets Manager could not return {secret_id!r} ({code})") from None
    except BotoCoreError as error:
        raise SecretError(f"{name}: AWS Secrets Manager is unreachable ({type(error).__name__})") from None
    secret = response.get("SecretString")
    if not secret:
        raise SecretError(f"{name}: secret {secret_id!r} has no string value")
    return secret
