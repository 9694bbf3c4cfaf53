"""Versioned migrations of the mart database, Flyway style.

`sql/V<version>__<description>.sql` files are applied in version order, each once,
and recorded in `schema_version` with a checksum of the file; a recorded file that
has changed since is an error (write a new version instead). Statements end with a
`;` at the end of a line. `${bi_password}` is the BI role's password
(`LAKEHOUSE_BI_PASSWORD`, else the local default), substituted as an escaped string.
A named lock keeps two runners from applying the same version.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lakehouse_assets.resources.mart_db import MartDatabase
from lakehouse_assets.serving.export import quoted

SQL_DIR = Path(__file__).parent / "sql"
FILE_NAME = re.compile(r"^V(?P<version>\d+)__(?P<description>\w+)\.sql$")
VERSION_TABLE = "schema_version"
LOCK_TIMEOUT_S = 60
BI_PASSWORD_VAR = "LAKEHOUSE_BI_PASSWORD"
LOCAL_BI_PASSWORD = "lakehouse-bi-local"  # docs/serving.md: set LAKEHOUSE_BI_PASSWORD anywhere but a laptop
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


class MigrationError(RuntimeError):
    """A migration file is malformed, changed after it was applied, or failed."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    path: Path

    @cached_property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def statements(self, values: Mapping[str, str]) -> list[str]:
        """The file's statements with its placeholders replaced by `values` (escaped)."""
        lines = [line for line in self.text.splitlines() if not line.lstrip().startswith("--")]
        body = PLACEHOLDER.sub(lambda m: _value(values, m.group(1), self.path), "\n".join(lines))
        return [s.strip() for s in re.split(r";[ \t]*$", body, flags=re.MULTILINE) if s.strip()]


def _value(values: Mapping[str, str], name: str, path: Path) -> str:
    if name not in values:
        raise MigrationError(f"{path.name}: no value for ${{{name}}}")
    return values[name].replace("\\", "\\\\").replace("'", "''")


def migrations(folder: Path = SQL_DIR) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name} is not named V<version>__<description>.sql")
        found.append(Migration(int(match["version"]), match["description"], path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version in {folder}: {sorted(versions)}")
    return sorted(found, key=lambda m: m.version)


def placeholder_values(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    return {"bi_password": environ.get(BI_PASSWORD_VAR) or LOCAL_BI_PASSWORD}


def applied_versions(cursor) -> dict[int, str]:
    cursor.execute(f"SELECT version, checksum FROM {VERSION_TABLE}")
    return {int(version): checksum for version, checksum in cursor.fetchall()}


def migrate(db: MartDatabase, folder: Path = SQL_DIR, values: Mapping[str, str] | None = None) -> list[Migration]:
    """Create the database if needed and apply the pending migrations; returns those applied."""
    values = placeholder_values() if values is None else values
    connection = db.connect(with_database=False, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS {quoted(db.database)} "
                           "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            cursor.execute(f"USE {quoted(db.database)}")
            cursor.execute("SELECT GET_LOCK(%s, %s)", (f"{db.database}.migrate", LOCK_TIMEOUT_S))
            if cursor.fetchone()[0] != 1:
                raise MigrationError(f"another migration of {db.database} held its lock for {LOCK_TIMEOUT_S} s")
            try:
                return _apply_pending(cursor, migrations(folder), values)
            finally:
                cursor.execute("SELECT RELEASE_LOCK(%s)", (f"{db.database}.migrate",))
    finally:
        connection.close()


def _apply_pending(cursor, available: list[Migration], values: Mapping[str, str]) -> list[Migration]:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INT NOT NULL PRIMARY KEY, "
                   "description VARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL, "
                   "applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE = InnoDB")
    applied = applied_versions(cursor)
    changed = [m.path.name for m in available if m.version in applied and applied[m.version] != m.checksum]
    if changed:
        raise MigrationError(f"applied migrations changed since: {', '.join(changed)} (add a new version instead)")
    done = []
    for migration in (m for m in available if m.version not in applied):
        for statement in migration.statements(values):
            try:
                cursor.execute(statement)
            except Exception as error:
                raise MigrationError(f"{migration.path.name} failed: {error}") from error
        cursor.execute(f"INSERT INTO {VERSION_TABLE} (version, description, checksum) VALUES (%s, %s, %s)",
                       (migration.version, migration.description, migration.checksum))
        done.append(migration)
    return done


def current_version(db: MartDatabase) -> int | None:
    """The highest applied version, or None before the first migration."""
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                           "AND table_name = %s", (VERSION_TABLE,))
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(f"SELECT MAX(version) FROM {VERSION_TABLE}")
            return cursor.fetchone()[0]
    finally:
        connection.close()
