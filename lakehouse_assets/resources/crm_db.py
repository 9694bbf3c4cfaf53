"""The CRM database resource: where the crm source's PostgreSQL is, and who reads it.

`LAKEHOUSE_CRM_JDBC_URL=jdbc:postgresql://HOST:PORT/DATABASE` says where; the user and
password come from `LAKEHOUSE_CRM_USER` and `LAKEHOUSE_CRM_PASSWORD`, each the value itself
or an `aws-secretsmanager:<name>` reference (`secrets.py`), read when a run starts. Spark
reads the tables over JDBC (`jdbc_options`); `lakehouse generate --crm-url` and the tests
write them with psycopg2 (`connect`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from lakehouse_assets.resources.database_url import DatabaseAddress, UrlForm, parse_database_url
from lakehouse_assets.resources.secrets import resolve_secret

CRM_URL_VAR = "LAKEHOUSE_CRM_JDBC_URL"
CRM_USER_VAR = "LAKEHOUSE_CRM_USER"
CRM_PASSWORD_VAR = "LAKEHOUSE_CRM_PASSWORD"
JDBC_PREFIX = "jdbc:"
JDBC_DRIVER = "org.postgresql.Driver"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 10
# Run tag of a crm extraction: the last business day it reads (rows with updated_at before
# the next day starts); `lakehouse run` sets it to the range's last day.
CRM_UNTIL_TAG = "lakehouse/crm_until"


class CrmConfigError(ValueError):
    """LAKEHOUSE_CRM_JDBC_URL is not a jdbc:postgresql://HOST:PORT/DATABASE URL."""


CRM_URL = UrlForm(CRM_URL_VAR, "jdbc:postgresql://HOST:PORT/DATABASE", ("postgresql",), DEFAULT_PORT,
                  CRM_USER_VAR, CRM_PASSWORD_VAR, prefix=JDBC_PREFIX)


def parse_crm_url(url: str) -> DatabaseAddress:
    """`jdbc:postgresql://HOST[:PORT]/DATABASE` -> its parts (credentials never in the URL)."""
    return parse_database_url(url, CRM_URL, CrmConfigError)


def crm_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment names a CRM database (the crm source is on)."""
    return bool(environ.get(CRM_URL_VAR, "").strip())


class CrmDatabase(ConfigurableResource):
    """The CRM's operational database of SPEC §7: JDBC options for Spark, psycopg2 connections."""

    url: str
    user: str
    password: str = ""

    _address: DatabaseAddress | None = PrivateAttr(default=None)
    _credentials: tuple[str, str] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._resolve()

    def _resolve(self) -> tuple[DatabaseAddress, tuple[str, str]]:
        if self._address is None or self._credentials is None:
            self._address = parse_crm_url(self.url)
            # Unset or empty: no password (a local server that trusts 127.0.0.1).
            password = self.password or os.environ.get(CRM_PASSWORD_VAR, "")
            self._credentials = (resolve_secret(self.user, CRM_USER_VAR), resolve_secret(password, CRM_PASSWORD_VAR))
        return self._address, self._credentials

    @property
    def address(self) -> DatabaseAddress:
        return self._resolve()[0]

    def connect(self):
        """A new psycopg2 connection (UTC session); the caller closes it."""
        import psycopg2

        address, (user, password) = self._resolve()
        return psycopg2.connect(host=address.host, port=address.port, dbname=address.database, user=user,
                                password=password or None, connect_timeout=CONNECT_TIMEOUT_S,
                                options="-c timezone=UTC")

    def jdbc_options(self, fetch_size: int) -> dict[str, str]:
        """Options of a Spark JDBC read (Spark redacts the password in plans and logs)."""
        address, (user, password) = self._resolve()
        url = (f"jdbc:postgresql://{address.host}:{address.port}/{address.database}"
               f"?connectTimeout={CONNECT_TIMEOUT_S}&options=-c%20timezone%3DUTC")
        return {"url": url, "driver": JDBC_DRIVER, "user": user, "password": password,
                "fetchsize": str(fetch_size), "sessionInitStatement": "SET TIME ZONE 'UTC'"}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> CrmDatabase:
        return cls(url=environ.get(CRM_URL_VAR, ""), user=environ.get(CRM_USER_VAR, ""),
                   password=environ.get(CRM_PASSWORD_VAR, ""))
