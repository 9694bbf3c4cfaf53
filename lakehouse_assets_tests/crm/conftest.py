"""A real PostgreSQL per test module (the crm source's database), and helpers to fill it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from lakehouse_assets.generate.crm import create_schema
from lakehouse_assets.resources.crm_db import CrmDatabase
from lakehouse_assets.resources.postgres_server import INSTALL_HINT, LocalPostgres, ServerError


@pytest.fixture(scope="module")
def postgres():
    """PostgreSQL on a free port of 127.0.0.1, its cluster in a temporary folder (owned by the
    `postgres` user when the tests run as root), stopped and removed after the module."""
    folder = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    server = LocalPostgres(folder)
    try:
        server.start()
    except (ServerError, OSError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL could not start ({error}); install it with: {INSTALL_HINT}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def crm_db(postgres) -> CrmDatabase:
    """A fresh, empty crm schema for each test, and the resource that reads it."""
    connection = postgres.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS crm CASCADE")
        connection.commit()
        create_schema(connection)
    finally:
        connection.close()
    return CrmDatabase(url=postgres.jdbc_url, user="postgres")


def commit_rows(postgres: LocalPostgres, rows) -> None:
    from lakehouse_assets.generate.crm import apply_rows

    connection = postgres.connect()
    try:
        apply_rows(connection, rows)
    finally:
        connection.close()

