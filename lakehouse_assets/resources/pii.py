"""The PII masking resource: strategies from `config/masking.yaml`, keys from the environment.

The resource holds the policy and the keys; `transforms/masking.py` applies them to a
frame (the ingest step calls `mask_pii` with `strategies(source)` and `key_material()`).

Everything is checked when a run starts, before any table is written: a PII
column without a strategy, an unknown strategy name, a missing or short key all
stop the run with one line naming the problem, so a half-masked table cannot exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from lakehouse_assets.resources.secrets import MaskingKeys, SecretError, resolve_secret
from lakehouse_assets.settings import ConfigError, config_dir
from lakehouse_assets.sources import CRM_SOURCES, SOURCES

MASKING_FILE = "masking.yaml"
HMAC_KEY_VAR = "LAKEHOUSE_PII_HMAC_KEY"
SALT_VAR = "LAKEHOUSE_PII_SALT"
MIN_KEY_CHARS = 32
MIN_SALT_CHARS = 16
# The strategies `transforms/masking.py` has an expression for (tests hold the two equal).
STRATEGIES = ("hmac_token", "sha256", "mask_last4", "email_mask", "redact")
# Every source with PII columns: the landing sources and the crm source's tables.
PII_SOURCES = {**SOURCES, **CRM_SOURCES}


def parse_masking_policy(raw: Mapping[str, Any], origin: Path | str = MASKING_FILE) -> dict[str, dict[str, str]]:
    """{source: {column: strategy}} for every source with PII, validated against `SOURCES`."""
    policy: dict[str, dict[str, str]] = {}
    unknown_sources = sorted(set(raw) - {s.name for s in PII_SOURCES.values() if s.pii})
    if unknown_sources:
        raise ConfigError(f"{origin}: {unknown_sources} hold no PII columns (PII sources: "
                          f"{sorted(s.name for s in PII_SOURCES.values() if s.pii)})")
    for source in (s for s in PII_SOURCES.values() if s.pii):
        columns = dict(raw.get(source.name) or {})
        missing = [c for c in source.pii if c not in columns]
        if missing:
            raise ConfigError(f"{origin}: {source.name} PII columns without a strategy: {missing}")
        extra = sorted(set(columns) - set(source.pii))
        if extra:
            raise ConfigError(f"{origin}: {source.name} columns {extra} are not PII columns {list(source.pii)}")
        for column, strategy in columns.items():
            if strategy not in STRATEGIES:
                raise ConfigError(f"{origin}: {source.name}.{column}: unknown strategy {strategy!r} "
                                  f"(known: {sorted(STRATEGIES)})")
        policy[source.name] = {str(c): str(s) for c, s in columns.items()}
    return policy


def load_masking_policy() -> dict[str, dict[str, str]]:
    path = config_dir() / MASKING_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing: every PII column needs a masking strategy")
    return parse_masking_policy(yaml.safe_load(path.read_text()) or {}, path)


def masking_keys(hmac_key: str, salt: str) -> MaskingKeys:
    keys = MaskingKeys(resolve_secret(hmac_key, HMAC_KEY_VAR), resolve_secret(salt, SALT_VAR))
    if len(keys.hmac_key) < MIN_KEY_CHARS:
        raise SecretError(f"{HMAC_KEY_VAR} must be at least {MIN_KEY_CHARS} characters (e.g. 64 hex digits)")
    if len(keys.salt) < MIN_SALT_CHARS:
        raise SecretError(f"{SALT_VAR} must be at least {MIN_SALT_CHARS} characters")
    return keys


class PiiMasking(ConfigurableResource):
    """The masking policy and keys for the PII columns of a source's silver rows.

    `hmac_key` and `salt` are given as `EnvVar`s in the code location, so the values
    are read from the environment (or Secrets Manager) when a run starts.
    """

    hmac_key: str
    salt: str

    _policy: dict[str, dict[str, str]] | None = PrivateAttr(default=None)
    _keys: MaskingKeys | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._policy = load_masking_policy()
        self._keys = masking_keys(self.hmac_key, self.salt)

    def key_material(self) -> MaskingKeys:
        # Not `keys`: Dagster calls `dict(resource)`, which takes an object with `keys()` for a mapping.
        if self._keys is None:
            self._keys = masking_keys(self.hmac_key, self.salt)
        return self._keys

    def strategies(self, source: str) -> dict[str, str]:
        return dict((self._policy or load_masking_policy())[source])
