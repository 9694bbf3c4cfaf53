"""A real MariaDB per test module (lakehouse_assets/serving/local_server.py, as `make stack` uses),
migrated, with the variables that point the lakehouse at it."""

from __future__ import annotations

import pytest

from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving.local_server import LocalMariaDb
from lakehouse_assets.serving.migrate import migrate


@pytest.fixture(scope="module")
def mart_server(tmp_path_factory):
    server = LocalMariaDb(tmp_path_factory.mktemp("mariadb") / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mart_db(mart_server) -> MartDatabase:
    db = MartDatabase.from_env(mart_server.env())
    migrate(db)
    return db
