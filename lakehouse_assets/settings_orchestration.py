"""The `orchestration` section of `config/<env>.yaml` (docs/operations.md), and the
conventions every settings model follows; `lakehouse_assets.settings` re-exports both classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic.dataclasses import dataclass

MIN_VACUUM_RETENTION_HOURS = 168

# Every settings model is a frozen pydantic dataclass with this config: an unknown key is an
# error; a YAML number where text is expected is that text (`spark.executor.cores: 4` is "4").
MODEL = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


def _or_empty(value: Any) -> Any:
    """A section or mapping left empty in YAML (`conf:` with nothing under it) is `{}`."""
    return {} if value is None else value


OrEmpty = BeforeValidator(_or_empty)


def _vacuum_floor(hours: int) -> int:
    if hours < MIN_VACUUM_RETENTION_HOURS:
        raise ValueError(f"must be >= {MIN_VACUUM_RETENTION_HOURS} (Delta's safe minimum), not {hours}")
    return hours


def _kept_layers(value: Any) -> Any:
    """`retention_days`: a layer set to null, like one left out, is kept for ever."""
    value = _or_empty(value)
    return {layer: days for layer, days in value.items() if days is not None} if isinstance(value, Mapping) else value


Days = Annotated[int, Field(ge=1)]


@dataclass(frozen=True, config=MODEL)
class MaintenanceSettings:
    """Weekly table upkeep: retention (Delta DELETE), OPTIMIZE with Z-order, VACUUM."""

    cron: str = "0 3 * * 0"
    vacuum_retention_hours: Annotated[int, AfterValidator(_vacuum_floor)] = 168
    optimize_recent_days: Days = 14
    zorder_by: Annotated[Mapping[str, tuple[str, ...]], OrEmpty] = field(default_factory=dict)
    retention_days: Annotated[Mapping[str, Days], BeforeValidator(_kept_layers)] = field(default_factory=dict)


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone") from None
    return name


@dataclass(frozen=True, config=MODEL)
class OrchestrationSettings:
    """Schedules, landing sensor, retries and archiving (docs/operations.md).

    `timezone`, `daily_hour`, `daily_minute`, `autostart`, `sensor_interval_seconds` and
    `maintenance.cron` shape schedule and sensor definitions, so they are read when the
    code location loads; everything else is read when a run or a sensor tick starts.
    Flags are strict YAML booleans: a string such as "no" would otherwise read as true.
    """

    timezone: Annotated[str, AfterValidator(_time_zone)] = "UTC"
    daily_hour: Annotated[int, Field(ge=0, le=23)] = 2
    daily_minute: Annotated[int, Field(ge=0, le=59)] = 0
    autostart: StrictBool = False
    sensor_interval_seconds: int = 60
    hash_budget_mb: int = 2048
    max_retries: int = 3
    retry_delay_seconds: float = 30.0
    archive_landing: StrictBool = False
    maintenance: Annotated[MaintenanceSettings, OrEmpty] = field(default_factory=MaintenanceSettings)
