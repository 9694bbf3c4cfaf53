"""Masking keys for benchmark runs: the runs mask synthetic customers in throw-away tables,
so when the environment holds no keys, random ones made for this process serve."""

from __future__ import annotations

import os
import secrets

from lakehouse_assets.resources.pii import HMAC_KEY_VAR, SALT_VAR


def ensure_pii_keys() -> None:
    """Set random masking keys in this process's environment where none are set (children inherit them)."""
    os.environ.setdefault(HMAC_KEY_VAR, secrets.token_hex(32))
    os.environ.setdefault(SALT_VAR, secrets.token_hex(16))
