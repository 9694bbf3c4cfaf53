"""PII masking on the way into silver: one Spark column expression per strategy.

Every strategy is built from Spark SQL functions (no Python UDF), and the secret
material never enters a query plan as a literal: the HMAC pads and the salt travel
in a one-row DataFrame that is cross-joined in, so `explain`, the Spark UI and the
event log show column names, not keys. Nulls stay null under every strategy.

Besides the masked columns, `pii_fingerprint` is an HMAC over all raw PII values of
the row: SCD2 change detection tracks it, so a changed address still starts a new
version even when the address itself is redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse_assets.columns import FINGERPRINT_COL
from lakehouse_assets.resources.secrets import MaskingKeys

REDACTED = "[REDACTED]"
EMAIL_HIDDEN = "***"
VISIBLE_DIGITS = 4
FIELD_SEPARATOR = "\u001f"
NULL_MARKER = "\u0000"

_IPAD_COL = "_pii_ipad"
_OPAD_COL = "_pii_opad"
_SALT_COL = "_pii_salt"


def hmac_sha256(value: Column) -> Column:
    """HMAC-SHA256 hex digest of `value` (needs the key columns of `with_key_columns`)."""
    inner = F.sha2(F.concat(F.col(_IPAD_COL), F.encode(value, "UTF-8")), 256)
    return F.sha2(F.concat(F.col(_OPAD_COL), F.unhex(inner)), 256)


def hmac_token(value: Column) -> Column:
    return F.when(value.isNotNull(), hmac_sha256(value))


def salted_sha256(value: Column) -> Column:
    return F.when(value.isNotNull(), F.sha2(F.concat(F.col(_SALT_COL), F.encode(value, "UTF-8")), 256))


def mask_last4(value: Column) -> Column:
    """Every character but the last four becomes `*`; a value of four or fewer is all `*`."""
    return (
        F.when(F.length(value) <= VISIBLE_DIGITS, F.regexp_replace(value, ".", "*"))
        .otherwise(F.regexp_replace(value, f".(?=.{{{VISIBLE_DIGITS}}})", "*"))
    )


def email_mask(value: Column) -> Column:
    """`jane.doe@example.com` -> `j***@example.com`; without a local part and domain, `***`."""
    at = F.instr(value, "@")
    keeps_shape = (at > 1) & (at < F.length(value))
    masked = F.concat(F.substring(value, 1, 1), F.lit(EMAIL_HIDDEN + "@"), F.substring_index(value, "@", -1))
    return F.when(value.isNull(), F.lit(None)).when(keeps_shape, masked).otherwise(F.lit(EMAIL_HIDDEN))


def redact(value: Column) -> Column:
    return F.when(value.isNotNull(), F.lit(REDACTED))


STRATEGIES: dict[str, Callable[[Column], Column]] = {
    "hmac_token": hmac_token,
    "sha256": salted_sha256,
    "mask_last4": mask_last4,
    "email_mask": email_mask,
    "redact": redact,
}


def fingerprint(columns: list[str]) -> Column:
    """HMAC over the row's raw PII values (null and empty kept distinct)."""
    joined = F.concat_ws(FIELD_SEPARATOR, *[F.coalesce(F.col(c), F.lit(NULL_MARKER)) for c in columns])
    return hmac_sha256(joined)


def with_key_columns(spark: SparkSession, frame: DataFrame, keys: MaskingKeys) -> DataFrame:
    """`frame` plus the key material as data columns (one broadcast row)."""
    ipad, opad = keys.pads()
    key_row = spark.createDataFrame(
        [(bytearray(ipad), bytearray(opad), bytearray(keys.salt.encode("utf-8")))],
        f"{_IPAD_COL} binary, {_OPAD_COL} binary, {_SALT_COL} binary",
    )
    return frame.crossJoin(F.broadcast(key_row))


def mask_pii(spark: SparkSession, frame: DataFrame, strategies: Mapping[str, str], keys: MaskingKeys) -> DataFrame:
    """`frame` with each column of `strategies` masked, and `pii_fingerprint` added
    after the last business column (before the `_` lineage columns)."""
    keyed = with_key_columns(spark, frame, keys)
    business = [c for c in frame.columns if not c.startswith("_")]
    lineage = [c for c in frame.columns if c.startswith("_")]
    masked = [STRATEGIES[strategies[c]](F.col(c)).alias(c) if c in strategies else F.col(c) for c in business]
    return keyed.select(*masked, fingerprint(sorted(strategies)).alias(FINGERPRINT_COL), *lineage)
