"""The masking resource refuses to start rather than write a half-masked table."""

from __future__ import annotations

import pytest
from dagster import DagsterInvalidConfigError, EnvVar, materialize

from lakehouse_assets.resources.pii import (
    STRATEGIES,
    PiiMasking,
    load_masking_policy,
    masking_keys,
    parse_masking_policy,
)
from lakehouse_assets.resources.secrets import SecretError
from lakehouse_assets.settings import ConfigError
from lakehouse_assets.sources import SOURCES
from lakehouse_assets.transforms.masking import STRATEGIES as EXPRESSIONS

POLICY = {"customers": {"first_name": "hmac_token", "last_name": "sha256", "email": "email_mask",
                        "phone": "mask_last4", "address": "redact"}}


def test_the_policy_knows_exactly_the_strategies_masking_implements():
    assert set(STRATEGIES) == set(EXPRESSIONS)


def test_shipped_policy_covers_every_pii_column():
    policy = load_masking_policy()
    assert set(policy["customers"]) == set(SOURCES["customers"].pii)
    assert set(SOURCES["customers"].pii) >= {"email", "phone", "address", "first_name", "last_name"}


@pytest.mark.parametrize("broken, message", [
    ({"customers": {**POLICY["customers"], "email": "rot13"}}, "customers.email: unknown strategy 'rot13'"),
    ({"customers": {k: v for k, v in POLICY["customers"].items() if k != "phone"}}, "without a strategy: ['phone']"),
    ({"customers": {**POLICY["customers"], "city": "redact"}}, "['city'] are not PII columns"),
    ({**POLICY, "orders": {"customer_id": "redact"}}, "['orders'] hold no PII columns"),
])
def test_policy_errors_name_the_problem(broken, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        parse_masking_policy(broken, "masking.yaml")


def test_short_keys_are_refused():
    with pytest.raises(SecretError, match="LAKEHOUSE_PII_HMAC_KEY must be at least 32"):
        masking_keys("short", "s" * 20)
    with pytest.raises(SecretError, match="LAKEHOUSE_PII_SALT must be at least 16"):
        masking_keys("k" * 40, "short")


def test_missing_key_fails_at_run_start_naming_the_variable(monkeypatch):
    from dagster import asset

    monkeypatch.delenv("LAKEHOUSE_PII_HMAC_KEY", raising=False)

    @asset
    def needs_masking(pii: PiiMasking) -> None:
        raise AssertionError("must not run without a key")

    with pytest.raises(DagsterInvalidConfigError, match="LAKEHOUSE_PII_HMAC_KEY"):
        materialize([needs_masking], resources={
            "pii": PiiMasking(hmac_key=EnvVar("LAKEHOUSE_PII_HMAC_KEY"), salt=EnvVar("LAKEHOUSE_PII_SALT"))})


def test_keys_can_come_from_secrets_manager(moto_s3):
    import boto3

    client = boto3.client("secretsmanager", endpoint_url=moto_s3.endpoint)
    client.create_secret(Name="lakehouse/pii-hmac", SecretString="h" * 64)
    keys = masking_keys("aws-secretsmanager:lakehouse/pii-hmac", "s" * 20)
    assert keys.hmac_key == "h" * 64
    with pytest.raises(SecretError, match=r"LAKEHOUSE_PII_SALT: AWS Secrets Manager could not return 'nope' "
                                          r"\(ResourceNotFoundException\)"):
        masking_keys("k" * 40, "aws-secretsmanager:nope")
