"""config/dq.yaml: read when a check runs, per-source overrides, clear errors."""

from __future__ import annotations

import pytest

from lakehouse_assets.checks.config import DqConfig, dq_config_from_mapping, load_dq_config
from lakehouse_assets.settings import ConfigError


def test_project_file_loads_and_matches_the_documented_defaults():
    assert load_dq_config() == DqConfig()


def test_file_is_read_at_call_time(tmp_path, monkeypatch):
    (tmp_path / "dq.yaml").write_text("fx_coverage: {max_null_share: 0.5}\n")
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(tmp_path))
    assert load_dq_config().max_null_fx_share == 0.5


def test_per_source_override_of_the_quarantine_share():
    config = dq_config_from_mapping(
        {"quarantine_share": {"max_share": 0.1, "per_source": {"customers": {"max_share": 0.4}}}})
    assert config.quarantine_share.for_source("customers").max_share == 0.4
    assert config.quarantine_share.for_source("orders").max_share == 0.1


def test_missing_file_and_bad_values_say_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="dq.yaml is missing"):
        load_dq_config()
    with pytest.raises(ConfigError, match="dq.yaml"):
        dq_config_from_mapping({"freshness": {"max_age_days": "soon"}})
    with pytest.raises(ConfigError, match="must be a mapping"):
        dq_config_from_mapping({"volume_anomaly": 3})
