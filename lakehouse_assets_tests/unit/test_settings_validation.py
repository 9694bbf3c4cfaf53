"""The settings models reject what they do not know: one readable ConfigError line naming the
file, the key path and the problem (no JVM)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from lakehouse_assets.encryption import SSE_KMS, S3Encryption
from lakehouse_assets.settings import ConfigError, load_settings, settings_from_mapping
from lakehouse_assets.settings_sections import SchemaDriftSettings

ROOTS = {"landing_root": "l", "lakehouse_root": "h"}


@pytest.mark.parametrize("raw, message", [
    ({"orchestration": {"max_retry": 1}}, "config/x.yaml: orchestration.max_retry: unknown key"),
    ({"orchestation": {}}, "config/x.yaml: orchestation: unknown key"),
    ({"spark": {"conf": {}, "cores": 4}}, "config/x.yaml: spark.cores: unknown key"),
    ({"s3_encryption": {"mode": "sse-s3", "kms_key": "k"}}, "config/x.yaml: s3_encryption.kms_key: unknown key"),
    ({"env": "prod"}, "config/x.yaml: env: unknown key"),
])
def test_an_unknown_key_is_named_with_its_path(raw, message):
    with pytest.raises(ConfigError) as error:
        settings_from_mapping("x", {**ROOTS, **raw}, "config/x.yaml")
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("raw, message", [
    ({"orchestration": {"max_retries": "three"}}, "orchestration.max_retries: must be an integer, not 'three'"),
    ({"orchestration": {"max_retries": 2.5}}, "orchestration.max_retries: must be an integer, not 2.5"),
    ({"orchestration": {"autostart": "no"}}, "orchestration.autostart: must be true or false, not 'no'"),
    ({"orchestration": {"retry_delay_seconds": "soon"}},
     "orchestration.retry_delay_seconds: must be a number, not 'soon'"),
    ({"orchestration": {"daily_minute": 60}}, "orchestration.daily_minute: 60 is out of range (must be <= 59)"),
    ({"orchestration": "nightly"}, "orchestration: must be a mapping, not 'nightly'"),
    ({"orchestration": {"maintenance": {"retention_days": {"gold": 0}}}},
     "orchestration.maintenance.retention_days.gold: 0 is out of range (must be >= 1)"),
    ({"orchestration": {"maintenance": {"zorder_by": {"gold/fact_sales": "customer_id"}}}},
     "orchestration.maintenance.zorder_by.gold/fact_sales: must be a list, not 'customer_id'"),
    ({"currencies": "USD"}, "currencies: must be a list, not 'USD'"),
    ({"incentive_rate": "one percent"}, "incentive_rate: must be a decimal number, not 'one percent'"),
    ({"spark": {"shuffle_partitions": [4]}}, "spark.shuffle_partitions: must be an integer, not [4]"),
    ({"s3_encryption": {"mode": "sse-c"}}, "s3_encryption.mode: must be sse-s3 or sse-kms, not 'sse-c'"),
    ({"s3_encryption": {"mode": "sse-kms"}}, "s3_encryption: mode sse-kms needs s3_encryption.kms_key_id"),
    ({"schema_drift": {"new_columns": "ignore"}},
     "schema_drift.new_columns: must be one of reject, carry, not 'ignore'"),
    ({"landing_root": None}, "landing_root: must be text, not None"),
])
def test_a_bad_value_is_one_line_naming_file_key_and_problem(raw, message):
    with pytest.raises(ConfigError) as error:
        settings_from_mapping("x", {**ROOTS, **raw}, "config/x.yaml")
    assert str(error.value) == f"config/x.yaml: {message}"


def test_a_missing_root_and_several_problems_are_reported_on_one_line():
    with pytest.raises(ConfigError, match=r"^f\.yaml: landing_root: required key is missing$"):
        settings_from_mapping("x", {"lakehouse_root": "h"}, "f.yaml")
    with pytest.raises(ConfigError) as error:
        settings_from_mapping("x", {**ROOTS, "orchestration": {"autostart": 1, "max_retry": 1}}, "f.yaml")
    assert "\n" not in str(error.value) and "autostart" in str(error.value) and "max_retry" in str(error.value)


def test_the_error_names_the_file_that_holds_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_CONFIG_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text("landing_root: l\nlakehouse_root: h\norchestration: {timezone: Mars/Olympus}\n")
    (tmp_path / "child.yaml").write_text("extends: base\norchestration: {max_retries: 1, daily_hour: 25}\n")
    with pytest.raises(ConfigError) as error:
        load_settings("child")
    assert str(error.value) == ("base.yaml: orchestration.timezone: 'Mars/Olympus' is not an IANA time zone; "
                                "child.yaml: orchestration.daily_hour: 25 is out of range (must be <= 23)")
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(ConfigError, match=r"^list\.yaml: must be a mapping of settings, not list$"):
        load_settings("list")


def test_lenient_spellings_the_files_rely_on_still_read():
    settings = settings_from_mapping("x", {
        **ROOTS, "spark": {"conf": {"spark.executor.cores": 4, "spark.ui.enabled": False}}, "incentive_rate": 0.02,
        "s3_encryption": {"mode": "SSE-KMS", "kms_key_id": "alias/k"}, "schema_drift": {"new_columns": "Carry"},
        "orchestration": {"retry_delay_seconds": 5, "maintenance": {"retention_days": {"gold": None, "silver": 9}}},
    })
    assert settings.spark.conf == {"spark.executor.cores": "4", "spark.ui.enabled": "false"}
    assert settings.incentive_rate == Decimal("0.02") and settings.schema_drift.new_columns == "carry"
    assert settings.s3_encryption == S3Encryption(SSE_KMS, "alias/k")
    assert settings.orchestration.retry_delay_seconds == 5.0
    assert settings.orchestration.maintenance.retention_days == {"silver": 9}  # null: kept for ever


def test_models_stay_frozen_dataclasses():
    settings = load_settings("test")
    assert isinstance(settings.currencies, tuple) and isinstance(settings.incentive_rate, Decimal)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.env = "prod"  # type: ignore[misc]
    kms = S3Encryption.from_mapping({"mode": "sse-kms", "kms_key_id": "alias/k"})
    assert dataclasses.replace(settings, s3_encryption=kms).s3_encryption.kms_key_id == "alias/k"
    assert hash(kms) == hash(S3Encryption(SSE_KMS, "alias/k")) and hash(SchemaDriftSettings("carry"))
