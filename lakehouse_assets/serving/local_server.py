"""A local MariaDB server as a plain process: `make stack` and the serving tests start one.

The data directory holds everything (tables, socket, pid file, error log), so a
server is removed with its folder. It listens on 127.0.0.1 only. The first start
creates the system tables (`mariadb-install-db`) and an admin account for TCP
clients; later starts of the same folder reuse them. Stop it by its PID
(`stop`, or `kill` for a crash).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lakehouse_assets.resources.local_process import LocalProcess, free_port

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
ADMIN_USER = "lakehouse"
ADMIN_PASSWORD = "lakehouse-local"  # local servers only: 127.0.0.1, a folder under .cache or tmp
INSTALL_HINT = "DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server"
# Small and fast for a laptop or a test: a 64 MB buffer pool, no binary log. Commits
# still reach the OS at once, so killing the process loses no committed transaction.
SERVER_OPTIONS = (
    "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
    "--innodb-flush-log-at-trx-commit=2", "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_bin", "--max-connections=100",
)


class ServerError(RuntimeError):
    """mariadbd is missing, did not start or did not stop; the message says why."""


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ServerError(f"{name} is not installed: {INSTALL_HINT} (or `make install` as root)")
    return found


def _as_root() -> list[str]:
    return ["--user=root"] if os.geteuid() == 0 else []


@dataclass
class LocalMariaDb:
    """One mariadbd on 127.0.0.1:`port` with its data in `datadir`."""

    datadir: Path
    port: int = 0  # 0: a free port, chosen at the first start and kept for restarts

    def __post_init__(self) -> None:
        self.datadir = Path(self.datadir).resolve()
        self._server = LocalProcess("mariadbd", pid_file=self.pid_file, log=self.datadir / "server.log",
                                    error=ServerError)

    @property
    def socket(self) -> Path:
        return self.datadir / "mysqld.sock"

    @property
    def pid_file(self) -> Path:
        return self.datadir / "mysqld.pid"

    @property
    def url(self) -> str:
        """The LAKEHOUSE_MART_URL of this server's `retail_mart` schema."""
        return f"mysql://127.0.0.1:{self.port}/retail_mart"

    def env(self) -> dict[str, str]:
        """The variables that point the lakehouse at this server."""
        return {"LAKEHOUSE_MART_URL": self.url, "LAKEHOUSE_MART_USER": ADMIN_USER,
                "LAKEHOUSE_MART_PASSWORD": ADMIN_PASSWORD}

    def pid(self) -> int | None:
        """The running server's PID, or None."""
        return self._server.pid()

    def install(self) -> None:
        if (self.datadir / "mysql").is_dir():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [binary("mariadb-install-db"), "--no-defaults", *_as_root(), f"--datadir={self.datadir}",
             "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
            check=True, capture_output=True, text=True)

    def start(self) -> LocalMariaDb:
        """Start the server (installing the folder first) and wait until it answers."""
        if self.pid() is not None:
            raise ServerError(f"a server already runs on {self.datadir} (pid {self.pid()})")
        self.install()
        self.port = self.port or free_port()
        self._server.start([binary("mariadbd"), "--no-defaults", *_as_root(), f"--datadir={self.datadir}",
                            f"--socket={self.socket}", f"--pid-file={self.pid_file}", f"--port={self.port}",
                            "--bind-address=127.0.0.1", *SERVER_OPTIONS])
        self._server.wait_until(self._answers, timeout=START_TIMEOUT_S, problem="mariadbd did not answer")
        self._ensure_admin()
        return self

    def _root(self):
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket), user="root", password="", autocommit=True)

    def _answers(self) -> bool:
        try:
            self._root().close()
        except Exception:  # noqa: BLE001 (not up yet)
            return False
        return True

    def _ensure_admin(self) -> None:
        connection = self._root()
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (ADMIN_USER, ADMIN_PASSWORD))
                cursor.execute("GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", (ADMIN_USER,))
        finally:
            connection.close()

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM) and wait for the process to end."""
        self._server.stop(STOP_TIMEOUT_S)

    def kill(self) -> None:
        """End the server at once (SIGKILL), as a crash would: InnoDB recovers at the next start."""
        self._server.kill(STOP_TIMEOUT_S)
