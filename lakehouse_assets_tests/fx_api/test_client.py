"""The FX API client against the real local server: pages, Retry-After, the bounded wait, auth. No JVM."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest

from lakehouse_assets.fx_api.client import (
    DEFAULT_RETRY_AFTER_SECONDS,
    FxApiClient,
    FxApiConfigError,
    FxApiError,
    retry_after_seconds,
)
from lakehouse_assets.generate.fx import fx_rows
from lakehouse_assets_tests.fx_api.servers import OPTIONS, client_of, fx_api

DAY = date(2024, 3, 5)


def generated(day: date, complete: bool = False) -> list[tuple[str, str]]:
    rows, _ = fx_rows(OPTIONS.seed, day, complete=complete)
    return [(currency, rate) for _, currency, rate in rows]


def test_every_page_is_followed_until_next_page_is_null():
    with fx_api(page_size=2, complete_day=DAY) as server:
        rates = client_of(server).rates(DAY)
        assert server.requests == 4  # 7 currencies, 2 a page
    assert [(r.currency, r.usd_per_unit) for r in rates] == generated(DAY, complete=True)
    assert len(rates) == 7


def test_one_page_when_the_page_holds_every_rate():
    with fx_api(page_size=50) as server:
        rates = client_of(server).rates(DAY)
        assert server.requests == 1
    assert [(r.currency, r.usd_per_unit) for r in rates] == generated(DAY)


def test_429_is_asked_again_after_retry_after_seconds():
    with fx_api(fail_first=2, fail_status=429, retry_after=1) as server:
        client = client_of(server)
        started = time.monotonic()
        rates = client.rates(DAY)
        elapsed = time.monotonic() - started
        assert server.requests == 2 + (len(rates) + 1) // 2  # two refusals, then the pages
    assert [(r.currency, r.usd_per_unit) for r in rates] == generated(DAY)
    assert client.waited == 2.0
    assert 2.0 <= elapsed < 4.0


def test_503_with_an_http_date_waits_until_that_moment():
    with fx_api(fail_first=1, fail_status=503, retry_after=2, retry_after_as_date=True) as server:
        client = client_of(server)
        started = time.monotonic()
        client.rates(DAY)
        elapsed = time.monotonic() - started
    assert 0.5 < client.waited <= 2.0  # an HTTP date has whole seconds: 2 s from now is 1 to 2 s away
    assert client.waited <= elapsed < client.waited + 2.0


def test_the_total_wait_is_bounded_and_the_error_names_url_and_wait():
    with fx_api(fail_first=100, fail_status=503, retry_after=1) as server:
        client = client_of(server, max_wait_seconds=1.5)
        started = time.monotonic()
        with pytest.raises(FxApiError) as raised:
            client.rates(DAY)
        elapsed = time.monotonic() - started
    message = str(raised.value)
    assert f"GET {server.url}/rates?date=2024-03-05&page=1" in message
    assert "still HTTP 503 after waiting 1.0 s in total" in message
    assert "max_wait_seconds = 1.5" in message
    assert 1.0 <= elapsed < 1.5  # it gives up instead of sleeping past the budget


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_a_refused_token_is_a_configuration_error_naming_the_variable(token):
    with fx_api() as server:
        with pytest.raises(FxApiConfigError) as raised:
            client_of(server, token=token).rates(DAY)
    message = str(raised.value)
    assert message == (f"The FX API at {server.url} refused the bearer token (HTTP 401): "
                       "check LAKEHOUSE_FX_API_TOKEN.")
    assert "wrong-token" not in message


def test_other_answers_are_errors_naming_the_url():
    with fx_api() as server:
        wrong_base = FxApiClient(server.url + "/v2", "test-fx-token", timeout_seconds=5)
        with pytest.raises(FxApiError, match=r"GET http://127\.0\.0\.1:\d+/v2/rates\?date=2024-03-05&page=1: "
                                             r"HTTP 404 Not Found: .*no such resource"):
            wrong_base.rates(DAY)
        url = server.url
    with pytest.raises(FxApiError, match=r"cannot reach the FX API .*check LAKEHOUSE_FX_API_URL"):
        FxApiClient(url, "t", timeout_seconds=2).rates(DAY)  # the server is gone


def test_from_env_names_the_missing_variable():
    with pytest.raises(FxApiConfigError, match="^LAKEHOUSE_FX_API_URL is not set"):
        FxApiClient.from_env(environ={})
    with pytest.raises(FxApiConfigError, match="^LAKEHOUSE_FX_API_TOKEN is not set"):
        FxApiClient.from_env(environ={"LAKEHOUSE_FX_API_URL": "http://fx.example"})
    with pytest.raises(FxApiConfigError, match="not an http:// or https:// URL"):
        FxApiClient.from_env(environ={"LAKEHOUSE_FX_API_URL": "fx.example", "LAKEHOUSE_FX_API_TOKEN": "t"})
    client = FxApiClient.from_env(environ={"LAKEHOUSE_FX_API_URL": "http://fx.example/",
                                           "LAKEHOUSE_FX_API_TOKEN": "s3cr3t-value"})
    assert client.url == "http://fx.example" and client.token == "s3cr3t-value"
    assert "s3cr3t" not in repr(client)


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2024, 3, 5, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("3", now) == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=7), usegmt=True), now) == 0.0
    assert retry_after_seconds(None) == retry_after_seconds("soon") == DEFAULT_RETRY_AFTER_SECONDS


def test_the_token_may_be_a_secrets_manager_reference(moto_s3):
    import boto3

    boto3.client("secretsmanager").create_secret(Name="lakehouse/fx-api-token", SecretString="from-the-vault")
    client = FxApiClient.from_env(environ={"LAKEHOUSE_FX_API_URL": "http://fx.example",
                                           "LAKEHOUSE_FX_API_TOKEN": "aws-secretsmanager:lakehouse/fx-api-token"})
    assert client.token == "from-the-vault"
