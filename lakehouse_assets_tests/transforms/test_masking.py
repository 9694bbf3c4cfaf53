"""PII masking strategies, checked against Python's own hmac / hashlib."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.transforms.masking import FINGERPRINT_COL, REDACTED, MaskingKeys, mask_pii

KEYS = MaskingKeys(hmac_key="k" * 40, salt="pepper-and-salt-16")
LONG_KEYS = MaskingKeys(hmac_key="long-key-" * 12, salt="s" * 16)  # > 64 bytes: hashed first (RFC 2104)
ALL = {"name": "hmac_token", "last": "sha256", "phone": "mask_last4", "email": "email_mask", "address": "redact"}
SCHEMA = "id string, name string, last string, phone string, email string, address string, _source_file string"


def masked(spark, rows, strategies=ALL, keys=KEYS):
    frame = spark.createDataFrame(rows, SCHEMA)
    return mask_pii(spark, frame, strategies, keys).orderBy("id").collect()


def py_hmac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def rows(spark):
    return masked(spark, [
        ("1", "Zoë", "Ørsted", "+1-555-123-4567", "zoe.o@example.co.uk", "1 Main St", "f.csv"),
        ("2", "Al", "Li", "1234", "no-at-sign", "2 Side Rd", "f.csv"),
        ("3", None, None, None, None, None, "f.csv"),
        ("4", "Bo", "B", "12", "@example.com", "", "f.csv"),
    ])


def test_hmac_token_is_hmac_sha256_of_the_value(rows):
    assert rows[0]["name"] == py_hmac(KEYS.hmac_key, "Zoë")
    assert rows[1]["name"] == py_hmac(KEYS.hmac_key, "Al")


def test_hmac_token_with_a_key_longer_than_a_block(spark):
    (row,) = masked(spark, [("1", "Zoë", "x", "x", "x", "x", "f")], keys=LONG_KEYS)
    assert row["name"] == py_hmac(LONG_KEYS.hmac_key, "Zoë")


def test_sha256_is_salted(rows):
    assert rows[0]["last"] == hashlib.sha256(f"{KEYS.salt}Ørsted".encode()).hexdigest()
    assert rows[0]["last"] != hashlib.sha256("Ørsted".encode()).hexdigest()


def test_mask_last4_keeps_only_the_last_four_characters(rows):
    assert rows[0]["phone"] == "*" * 11 + "4567"
    assert rows[1]["phone"] == "****"  # four or fewer: nothing shown
    assert rows[3]["phone"] == "**"


def test_email_mask_keeps_first_letter_and_domain(rows):
    assert rows[0]["email"] == "z***@example.co.uk"
    assert rows[1]["email"] == "***"
    assert rows[3]["email"] == "***"


def test_redact_and_nulls(rows):
    assert rows[0]["address"] == REDACTED
    assert rows[3]["address"] == REDACTED  # an empty value is still a value
    assert all(rows[2][c] is None for c in ALL)


def test_fingerprint_sees_a_change_the_masks_hide(spark):
    a, b = masked(spark, [
        ("1", "Ann", "Lee", "5550001111", "ann@x.com", "1 Main St", "f"),
        ("2", "Ann", "Lee", "5550001111", "ann@x.com", "9 Other Rd", "f"),
    ])
    assert a["address"] == b["address"] == REDACTED
    assert a[FINGERPRINT_COL] != b[FINGERPRINT_COL]
    assert FINGERPRINT_COL in DIMENSIONS["dim_customer"].tracked_cols


def test_columns_keep_their_order_and_lineage_stays_last(spark):
    frame = spark.createDataFrame([("1", "a", "b", "c", "d", "e", "f")], SCHEMA)
    out = mask_pii(spark, frame, ALL, KEYS)
    assert out.columns == ["id", "name", "last", "phone", "email", "address", FINGERPRINT_COL, "_source_file"]


def test_key_material_never_appears_in_the_query_plan(spark):
    frame = spark.createDataFrame([("1", "a", "b", "c", "d", "e", "f")], SCHEMA)
    out = mask_pii(spark, frame, ALL, KEYS).where(F.col("id") == "1")
    plan = out._jdf.queryExecution().toString()
    ipad, opad = KEYS.pads()
    for secret in (KEYS.hmac_key, KEYS.salt, ipad.hex(), opad.hex(), KEYS.salt.encode().hex()):
        assert secret.lower() not in plan.lower()
    assert "<redacted>" in repr(KEYS) and KEYS.hmac_key not in repr(KEYS)
