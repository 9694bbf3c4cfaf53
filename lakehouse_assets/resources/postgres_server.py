"""A local PostgreSQL server as a plain process: `make stack`, `lakehouse crm start`, the crm
tests and the Dagster instance test start one.

The data directory holds everything (cluster, socket, log), so a server is removed with
its folder. It listens on 127.0.0.1 only, with trust authentication for local clients
(a local server for a laptop or a test, never a shared one). `initdb` and `pg_ctl`
refuse to run as root, so as root they run as the `postgres` user, who then owns the
folder. The binaries come from Debian's versioned folder (`/usr/lib/postgresql/N/bin`).
`start` creates the `database` (the crm source's, `crm`, unless told otherwise); `env()`
points the crm source at it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lakehouse_assets.resources.crm_db import CRM_PASSWORD_VAR, CRM_URL_VAR, CRM_USER_VAR
from lakehouse_assets.resources.local_process import LocalProcess, free_port, see_log

INSTALL_HINT = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql"
SERVICE_USER = "postgres"
ADMIN_USER = "postgres"
DATABASE = "crm"
START_TIMEOUT_S = 60
SERVER_OPTIONS = "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50"


class ServerError(RuntimeError):
    """PostgreSQL is missing, did not start or did not stop; the message says why."""


def binary(name: str) -> str:
    """`initdb` / `pg_ctl` from PATH or Debian's newest versioned folder."""
    found = shutil.which(name)
    if found is None:
        candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                            key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
        found = candidates[-1] if candidates else None
    if found is None:
        raise ServerError(f"PostgreSQL's {name} is not installed: {INSTALL_HINT} (or `make install` as root)")
    return found


def _as_service_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVICE_USER, "--", *command] if os.geteuid() == 0 else command


@dataclass
class LocalPostgres:
    """One PostgreSQL on 127.0.0.1:`port` with its cluster in `datadir` and a `database`."""

    datadir: Path
    port: int = 0  # 0: a free port, chosen at the first start
    database: str = DATABASE

    def __post_init__(self) -> None:
        self.datadir = Path(self.datadir).resolve()
        self._postmaster = LocalProcess("PostgreSQL", pid_file=self.pgdata / "postmaster.pid",
                                        log=self.pgdata / "server.log", error=ServerError)

    @property
    def pgdata(self) -> Path:
        return self.datadir / "pgdata"

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{self.database}"

    def env(self) -> dict[str, str]:
        """The variables that point the lakehouse at this server."""
        return {CRM_URL_VAR: self.jdbc_url, CRM_USER_VAR: ADMIN_USER, CRM_PASSWORD_VAR: ""}

    def pid(self) -> int | None:
        """The running server's PID, or None."""
        return self._postmaster.pid()

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(_as_service_user(command), capture_output=True, text=True)
        if done.returncode != 0:
            raise ServerError(f"{Path(command[0]).name} failed ({done.returncode}): "
                              f"{(done.stderr or done.stdout).strip()[-500:]}")

    def install(self) -> None:
        if (self.pgdata / "PG_VERSION").is_file():
            return
        initdb = binary("initdb")
        self.datadir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.datadir, SERVICE_USER, SERVICE_USER)
        self._run([initdb, "-D", str(self.pgdata), "-A", "trust", "-U", ADMIN_USER, "--no-sync",
                   "-E", "UTF8", "--locale=C"])

    def start(self) -> LocalPostgres:
        """Start the server (creating the cluster first, then the database) and wait for it."""
        if self.pid() is not None:
            raise ServerError(f"a server already runs on {self.datadir} (pid {self.pid()})")
        self.install()
        self.port = self.port or free_port()
        options = f"-p {self.port} -k {self.pgdata} {SERVER_OPTIONS}"
        try:
            self._run([binary("pg_ctl"), "-D", str(self.pgdata), "-o", options, "-l", str(self._postmaster.log),
                       "-w", "-t", str(START_TIMEOUT_S), "start"])
        except ServerError as error:
            raise ServerError(f"{error}; {see_log(self._postmaster.log)}") from error
        self._ensure_database()
        return self

    def connect(self, database: str | None = None):
        """A connection to `database` (default: this server's) as the admin user."""
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=ADMIN_USER, dbname=database or self.database,
                                options="-c timezone=UTC")

    def _ensure_database(self) -> None:
        connection = self.connect("postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            connection.close()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back open transactions; `immediate`: as a crash would)."""
        if self.pid() is None:
            return
        self._run([binary("pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "stop"])
