"""Run-time configuration: one YAML file per environment in `config/`.

`LAKEHOUSE_ENV` (default `local`) picks `config/<env>.yaml`; `LAKEHOUSE_LANDING_ROOT`
and `LAKEHOUSE_ROOT` override the two roots. Nothing here runs at import time:
resources call `load_settings()` when a run starts, so a test or a shell can
change the environment between runs without reloading modules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lakehouse_assets.encryption import S3Encryption
from lakehouse_assets.sources import DEFAULT_CURRENCIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENV = "local"
MIN_VACUUM_RETENTION_HOURS = 168


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which file and key."""


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[*]"
    driver_memory: str = "4g"
    shuffle_partitions: int = 4
    conf: Mapping[str, str] = field(default_factory=dict)


def _flag(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    """A YAML boolean; a string such as "no" would otherwise read as true."""
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"orchestration.{key} must be true or false, not {value!r}")
    return value


@dataclass(frozen=True)
class MaintenanceSettings:
    """Weekly table upkeep: retention (Delta DELETE), OPTIMIZE with Z-order, VACUUM."""

    cron: str = "0 3 * * 0"
    vacuum_retention_hours: int = 168
    optimize_recent_days: int = 14
    zorder_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    retention_days: Mapping[str, int] = field(default_factory=dict)  # per layer; absent = kept

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> MaintenanceSettings:
        raw = dict(raw or {})
        made = cls(
            cron=str(raw.get("cron", cls.cron)),
            vacuum_retention_hours=int(raw.get("vacuum_retention_hours", cls.vacuum_retention_hours)),
            optimize_recent_days=int(raw.get("optimize_recent_days", cls.optimize_recent_days)),
            zorder_by={str(t): tuple(str(c) for c in cols) for t, cols in (raw.get("zorder_by") or {}).items()},
            retention_days={str(k): int(v) for k, v in (raw.get("retention_days") or {}).items() if v is not None},
        )
        if made.vacuum_retention_hours < MIN_VACUUM_RETENTION_HOURS:
            raise ValueError(f"orchestration.maintenance.vacuum_retention_hours must be >= "
                             f"{MIN_VACUUM_RETENTION_HOURS} (Delta's safe minimum), not {made.vacuum_retention_hours}")
        if any(days < 1 for days in made.retention_days.values()) or made.optimize_recent_days < 1:
            raise ValueError("orchestration.maintenance day counts must be >= 1")
        return made


@dataclass(frozen=True)
class OrchestrationSettings:
    """Schedules, landing sensor, retries and archiving (docs/operations.md).

    `timezone`, `daily_hour`, `daily_minute`, `autostart`, `sensor_interval_seconds` and
    `maintenance.cron` shape schedule and sensor definitions, so they are read when the
    code location loads; everything else is read when a run or a sensor tick starts.
    """

    timezone: str = "UTC"
    daily_hour: int = 2
    daily_minute: int = 0
    autostart: bool = False
    sensor_interval_seconds: int = 60
    hash_budget_mb: int = 2048
    max_retries: int = 3
    retry_delay_seconds: float = 30.0
    archive_landing: bool = False
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> OrchestrationSettings:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        raw = dict(raw or {})
        made = cls(
            timezone=str(raw.get("timezone", cls.timezone)),
            daily_hour=int(raw.get("daily_hour", cls.daily_hour)),
            daily_minute=int(raw.get("daily_minute", cls.daily_minute)),
            autostart=_flag(raw, "autostart", cls.autostart),
            sensor_interval_seconds=int(raw.get("sensor_interval_seconds", cls.sensor_interval_seconds)),
            hash_budget_mb=int(raw.get("hash_budget_mb", cls.hash_budget_mb)),
            max_retries=int(raw.get("max_retries", cls.max_retries)),
            retry_delay_seconds=float(raw.get("retry_delay_seconds", cls.retry_delay_seconds)),
            archive_landing=_flag(raw, "archive_landing", cls.archive_landing),
            maintenance=MaintenanceSettings.from_mapping(raw.get("maintenance")),
        )
        if not (0 <= made.daily_hour <= 23 and 0 <= made.daily_minute <= 59):
            raise ValueError(f"orchestration.daily_hour/daily_minute out of range: "
                             f"{made.daily_hour}:{made.daily_minute:02d}")
        try:
            ZoneInfo(made.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"orchestration.timezone {made.timezone!r} is not an IANA time zone") from None
        return made


SCHEMA_DRIFT_POLICIES = ("reject", "carry")


@dataclass(frozen=True)
class SchemaDriftSettings:
    """What bronze does with a landing column the source contract does not know
    (docs/robustness.md): `reject` quarantines the file's lines as `malformed_row` naming
    the column; `carry` keeps the values in bronze's `_extra` map and validates the rest."""

    new_columns: str = "reject"

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> SchemaDriftSettings:
        policy = str(dict(raw or {}).get("new_columns", cls.new_columns)).lower()
        if policy not in SCHEMA_DRIFT_POLICIES:
            raise ValueError(f"schema_drift.new_columns must be one of {', '.join(SCHEMA_DRIFT_POLICIES)}, "
                             f"not {policy!r}")
        return cls(policy)


@dataclass(frozen=True)
class Settings:
    env: str
    landing_root: str
    lakehouse_root: str
    currencies: tuple[str, ...] = DEFAULT_CURRENCIES
    incentive_rate: Decimal = Decimal("0.01")
    spark: SparkSettings = field(default_factory=SparkSettings)
    s3_encryption: S3Encryption = field(default_factory=S3Encryption)
    orchestration: OrchestrationSettings = field(default_factory=OrchestrationSettings)
    schema_drift: SchemaDriftSettings = field(default_factory=SchemaDriftSettings)


def config_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_CONFIG_DIR", PROJECT_ROOT / "config"))


def resolve_root(value: str, base: Path) -> str:
    """An S3 URI stays as it is; a local path becomes absolute (relative to `base`)."""
    if value.startswith(("s3://", "s3a://")):
        return value.rstrip("/")
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_settings(env: str | None = None) -> Settings:
    """Read `config/<env>.yaml` (over the file it `extends`) and apply the environment overrides."""
    env = env or os.environ.get("LAKEHOUSE_ENV", DEFAULT_ENV)
    path = config_dir() / f"{env}.yaml"
    return settings_from_mapping(env, _read_config(env), path)


def _read_config(env: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The mapping of `config/<env>.yaml`; a file with `extends: <base>` holds only what differs
    from `config/<base>.yaml` and is merged over it (nested mappings key by key)."""
    path = config_dir() / f"{env}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in config_dir().glob("*.yaml"))
        raise ConfigError(f"LAKEHOUSE_ENV={env!r}: no file {path} (known environments: {known})")
    raw: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    base = raw.pop("extends", None)
    if base is None:
        return raw
    if base in (*seen, env):
        raise ConfigError(f"{path}: `extends: {base}` makes a cycle ({' -> '.join((*seen, env, base))})")
    return merged(_read_config(str(base), (*seen, env)), raw)


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`: nested mappings merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) \
            else value
    return out


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
            orchestration=OrchestrationSettings.from_mapping(raw.get("orchestration")),
            schema_drift=SchemaDriftSettings.from_mapping(raw.get("schema_drift")),
        )
    except KeyError as missing:
        raise ConfigError(f"{source}: required key {missing} is missing") from None
    except (TypeError, ValueError, ArithmeticError) as bad:
        raise ConfigError(f"{source}: {bad}") from None


def definition_settings() -> OrchestrationSettings:
    """The orchestration settings that shape the code location's *definitions*.

    Dagster needs a schedule's cron string and time zone, a sensor's interval and a
    job's retry policy when the code location loads, so these (and only these) are read
    from `config/<env>.yaml` at that moment; a change needs a code-location reload
    (`dagster dev` reloads on restart). Everything a run or a sensor tick does reads its
    configuration when it starts."""
    return load_settings().orchestration
