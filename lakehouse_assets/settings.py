"""Run-time configuration: one YAML file per environment in `config/`.

`LAKEHOUSE_ENV` (default `local`) picks `config/<env>.yaml`; `LAKEHOUSE_LANDING_ROOT`
and `LAKEHOUSE_ROOT` override the two roots. Nothing here runs at import time:
resources call `load_settings()` when a run starts, so a test or a shell can
change the environment between runs without reloading modules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import yaml

from lakehouse_assets.resources.encryption import S3Encryption
from lakehouse_assets.sources import DEFAULT_CURRENCIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENV = "local"


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which file and key."""


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[*]"
    driver_memory: str = "4g"
    shuffle_partitions: int = 4
    conf: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    env: str
    landing_root: str
    lakehouse_root: str
    currencies: tuple[str, ...] = DEFAULT_CURRENCIES
    incentive_rate: Decimal = Decimal("0.01")
    spark: SparkSettings = field(default_factory=SparkSettings)
    s3_encryption: S3Encryption = field(default_factory=S3Encryption)


def config_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_CONFIG_DIR", PROJECT_ROOT / "config"))


def resolve_root(value: str, base: Path) -> str:
    """An S3 URI stays as it is; a local path becomes absolute (relative to `base`)."""
    if value.startswith(("s3://", "s3a://")):
        return value.rstrip("/")
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_settings(env: str | None = None) -> Settings:
    """Read `config/<env>.yaml` and apply the environment overrides."""
    env = env or os.environ.get("LAKEHOUSE_ENV", DEFAULT_ENV)
    path = config_dir() / f"{env}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in config_dir().glob("*.yaml"))
        raise ConfigError(f"LAKEHOUSE_ENV={env!r}: no file {path} (known environments: {known})")
    raw: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    return settings_from_mapping(env, raw, path)


def settings_from_mapping(env: str, raw: Mapping[str, Any], source: Path | str = "<config>") -> Settings:
    try:
        landing = os.environ.get("LAKEHOUSE_LANDING_ROOT")
        lakehouse = os.environ.get("LAKEHOUSE_ROOT")
        spark_raw = dict(raw.get("spark") or {})
        return Settings(
            env=env,
            landing_root=resolve_root(landing, Path.cwd()) if landing
            else resolve_root(raw["landing_root"], PROJECT_ROOT),
            lakehouse_root=resolve_root(lakehouse, Path.cwd()) if lakehouse
            else resolve_root(raw["lakehouse_root"], PROJECT_ROOT),
            currencies=tuple(str(c) for c in raw.get("currencies", DEFAULT_CURRENCIES)),
            incentive_rate=Decimal(str(raw.get("incentive_rate", "0.01"))),
            spark=SparkSettings(
                master=str(spark_raw.get("master", "local[*]")),
                driver_memory=str(spark_raw.get("driver_memory", "4g")),
                shuffle_partitions=int(spark_raw.get("shuffle_partitions", 4)),
                conf={str(k): str(v) for k, v in (spark_raw.get("conf") or {}).items()},
            ),
            s3_encryption=S3Encryption.from_mapping(raw.get("s3_encryption")),
        )
    except KeyError as missing:
        raise ConfigError(f"{source}: required key {missing} is missing") from None
    except (TypeError, ValueError, ArithmeticError) as bad:
        raise ConfigError(f"{source}: {bad}") from None
