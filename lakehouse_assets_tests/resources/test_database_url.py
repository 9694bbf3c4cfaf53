"""The mart's and the CRM's database URLs: their parts, their defaults, and what is refused."""

from __future__ import annotations

import pytest

from lakehouse_assets.resources.crm_db import CrmConfigError, parse_crm_url
from lakehouse_assets.resources.database_url import DatabaseAddress
from lakehouse_assets.resources.mart_db import MartConfigError, parse_mart_url


@pytest.mark.parametrize("url, address", [
    ("mysql://127.0.0.1:3307/retail_mart", DatabaseAddress("127.0.0.1", 3307, "retail_mart")),
    ("  mariadb://db.internal/retail_mart/ ", DatabaseAddress("db.internal", 3306, "retail_mart")),
])
def test_mart_urls(url, address):
    assert parse_mart_url(url) == address


@pytest.mark.parametrize("url, address", [
    ("jdbc:postgresql://127.0.0.1:5433/crm", DatabaseAddress("127.0.0.1", 5433, "crm")),
    ("jdbc:postgresql://crm.internal/crm?sslmode=require", DatabaseAddress("crm.internal", 5432, "crm")),
])
def test_crm_urls(url, address):
    assert parse_crm_url(url) == address


@pytest.mark.parametrize("url", ["postgresql://h/crm", "jdbc:mysql://h/crm", "jdbc:postgresql://h/", "jdbc:postgresql:///crm",
                                 "jdbc:postgresql://h/a/b", ""])
def test_a_crm_url_of_another_form_names_the_variable_and_the_form(url):
    with pytest.raises(CrmConfigError, match=r"LAKEHOUSE_CRM_JDBC_URL must look like jdbc:postgresql://HOST:PORT/"):
        parse_crm_url(url)


@pytest.mark.parametrize("url", ["jdbc:mysql://h/retail_mart", "postgresql://h/retail_mart", "mysql://h"])
def test_a_mart_url_of_another_form_names_the_variable_and_the_form(url):
    with pytest.raises(MartConfigError, match=r"LAKEHOUSE_MART_URL must look like mysql://HOST:PORT/retail_mart"):
        parse_mart_url(url)


@pytest.mark.parametrize("parse, url, error, variables", [
    (parse_mart_url, "mysql://etl:s3cret@h/retail_mart", MartConfigError,
     "LAKEHOUSE_MART_USER and LAKEHOUSE_MART_PASSWORD"),
    (parse_mart_url, "mysql://h/retail_mart?password=s3cret", MartConfigError, "LAKEHOUSE_MART_USER"),
    (parse_crm_url, "jdbc:postgresql://reader@h/crm", CrmConfigError, "LAKEHOUSE_CRM_USER and LAKEHOUSE_CRM_PASSWORD"),
    (parse_crm_url, "jdbc:postgresql://h/crm?user=r&password=s3cret", CrmConfigError, "LAKEHOUSE_CRM_USER"),
    (parse_mart_url, "mysql://etl:s3cret@h", MartConfigError, "LAKEHOUSE_MART_PASSWORD"),  # malformed too
])
def test_credentials_in_a_url_are_refused_without_repeating_them(parse, url, error, variables):
    with pytest.raises(error) as raised:
        parse(url)
    assert "must not hold credentials" in str(raised.value) and variables in str(raised.value)
    assert "s3cret" not in str(raised.value)
