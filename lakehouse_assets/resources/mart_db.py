"""The mart database resource: where the MySQL-compatible serving database is, and who we are there.

`LAKEHOUSE_MART_URL=mysql://HOST:PORT/retail_mart` says where; the user and the
password come from `LAKEHOUSE_MART_USER` and `LAKEHOUSE_MART_PASSWORD`, each the value
itself or an `aws-secretsmanager:<name>` reference (`secrets.py`), read when a run
starts and never put in config. The resource hands out pymysql connections (the
transactions of an export, the checks, migrations) and the JDBC options Spark
writes a staging table with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from lakehouse_assets.resources.database_url import DatabaseAddress, UrlForm, parse_database_url
from lakehouse_assets.resources.secrets import resolve_secret

MART_URL_VAR = "LAKEHOUSE_MART_URL"
MART_USER_VAR = "LAKEHOUSE_MART_USER"
MART_PASSWORD_VAR = "LAKEHOUSE_MART_PASSWORD"
DEFAULT_PORT = 3306
URL_SCHEMES = ("mysql", "mariadb")
JDBC_DRIVER = "org.mariadb.jdbc.Driver"
CONNECT_TIMEOUT_S = 10
# Spark picks its MySQL dialect (backquoted names) for `jdbc:mysql:` URLs only; the
# MariaDB driver accepts that scheme with permitMysqlScheme.
JDBC_URL = "jdbc:mysql://{host}:{port}/{database}?permitMysqlScheme&connectTimeout={timeout_ms}"


class MartConfigError(ValueError):
    """LAKEHOUSE_MART_URL is not a mysql://HOST:PORT/DATABASE URL."""


MART_URL = UrlForm(MART_URL_VAR, "mysql://HOST:PORT/retail_mart", URL_SCHEMES, DEFAULT_PORT,
                   MART_USER_VAR, MART_PASSWORD_VAR)


def parse_mart_url(url: str) -> DatabaseAddress:
    """`mysql://HOST[:PORT]/DATABASE` -> its parts (the URL never holds credentials)."""
    return parse_database_url(url, MART_URL, MartConfigError)


def mart_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment names a mart database (serving is on)."""
    return bool(environ.get(MART_URL_VAR, "").strip())


class MartDatabase(ConfigurableResource):
    """The serving database of SPEC §6: connections for transactions, JDBC options for Spark."""

    url: str
    user: str
    password: str

    _address: DatabaseAddress | None = PrivateAttr(default=None)
    _credentials: tuple[str, str] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._resolve()

    def _resolve(self) -> tuple[DatabaseAddress, tuple[str, str]]:
        if self._address is None or self._credentials is None:
            self._address = parse_mart_url(self.url)
            self._credentials = (resolve_secret(self.user, MART_USER_VAR),
                                 resolve_secret(self.password, MART_PASSWORD_VAR))
        return self._address, self._credentials

    @property
    def address(self) -> DatabaseAddress:
        return self._resolve()[0]

    @property
    def database(self) -> str:
        return self.address.database

    def connect(self, with_database: bool = True, autocommit: bool = False):
        """A new pymysql connection (UTC session time zone); the caller closes it."""
        import pymysql

        address, (user, password) = self._resolve()
        return pymysql.connect(
            host=address.host, port=address.port, user=user, password=password,
            database=address.database if with_database else None, autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_S, charset="utf8mb4", init_command="SET time_zone = '+00:00'")

    def jdbc_url(self) -> str:
        address = self.address
        return JDBC_URL.format(host=address.host, port=address.port, database=address.database,
                               timeout_ms=CONNECT_TIMEOUT_S * 1000)

    def jdbc_options(self) -> dict[str, str]:
        """Options of a Spark JDBC write (Spark redacts the password in plans and logs)."""
        _, (user, password) = self._resolve()
        return {"url": self.jdbc_url(), "driver": JDBC_DRIVER, "user": user, "password": password}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> MartDatabase:
        """The resource of the environment's variables (CLI commands, tests)."""
        return cls(url=environ.get(MART_URL_VAR, ""), user=environ.get(MART_USER_VAR, ""),
                   password=environ.get(MART_PASSWORD_VAR, ""))
