"""Data-quality thresholds from `config/dq.yaml`, read when a check runs (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from lakehouse_assets.settings import ConfigError, config_dir

DQ_FILE = "dq.yaml"


@dataclass(frozen=True)
class QuarantineShare:
    max_share: float = 0.25
    min_rows: int = 50
    per_source: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def for_source(self, source: str) -> QuarantineShare:
        override = dict(self.per_source.get(source) or {})
        return QuarantineShare(float(override.get("max_share", self.max_share)),
                               int(override.get("min_rows", self.min_rows)))


@dataclass(frozen=True)
class VolumeAnomaly:
    lookback_days: int = 30
    min_history_days: int = 7
    max_abs_z: float = 3.0


@dataclass(frozen=True)
class DqConfig:
    quarantine_share: QuarantineShare = field(default_factory=QuarantineShare)
    max_unknown_share: float = 0.05
    max_null_fx_share: float = 0.02
    max_age_days: int = 2
    volume: VolumeAnomaly = field(default_factory=VolumeAnomaly)
    report_days: int = 14


def _section(raw: Mapping[str, Any], name: str) -> dict:
    value = raw.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{DQ_FILE}: `{name}` must be a mapping")
    return dict(value)


def dq_config_from_mapping(raw: Mapping[str, Any]) -> DqConfig:
    try:
        share = _section(raw, "quarantine_share")
        volume = _section(raw, "volume_anomaly")
        return DqConfig(
            quarantine_share=QuarantineShare(float(share.get("max_share", 0.25)), int(share.get("min_rows", 50)),
                                             dict(share.get("per_source") or {})),
            max_unknown_share=float(_section(raw, "referential_integrity").get("max_unknown_share", 0.05)),
            max_null_fx_share=float(_section(raw, "fx_coverage").get("max_null_share", 0.02)),
            max_age_days=int(_section(raw, "freshness").get("max_age_days", 2)),
            volume=VolumeAnomaly(int(volume.get("lookback_days", 30)), int(volume.get("min_history_days", 7)),
                                 float(volume.get("max_abs_z", 3.0))),
            report_days=int(_section(raw, "report").get("recent_days", 14)),
        )
    except (TypeError, ValueError) as bad:
        raise ConfigError(f"{DQ_FILE}: {bad}") from None


def load_dq_config() -> DqConfig:
    """`config/dq.yaml` (under LAKEHOUSE_CONFIG_DIR when set)."""
    path = config_dir() / DQ_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing: the data-quality checks read their thresholds from it")
    return dq_config_from_mapping(yaml.safe_load(path.read_text()) or {})
