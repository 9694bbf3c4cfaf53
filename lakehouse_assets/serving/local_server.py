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
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

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
        log = open(self.datadir / "server.log", "ab")  # noqa: SIM115 (the child keeps it)
        self._process = subprocess.Popen(
            [binary("mariadbd"), "--no-defaults", *_as_root(), f"--datadir={self.datadir}",
             f"--socket={self.socket}", f"--pid-file={self.pid_file}", f"--port={self.port}",
             "--bind-address=127.0.0.1", *SERVER_OPTIONS],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self._wait_ready()
        self._ensure_admin()
        return self

    def _root(self):
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket), user="root", password="", autocommit=True)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerError(f"mariadbd exited with {self._process.returncode}; see "
                                  f"{self.datadir / 'server.log'}")
            try:
                self._root().close()
                return
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.1)
        raise ServerError(f"mariadbd did not answer within {START_TIMEOUT_S:.0f} s")

    def _ensure_admin(self) -> None:
        connection = self._root()
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (ADMIN_USER, ADMIN_PASSWORD))
                cursor.execute("GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", (ADMIN_USER,))
        finally:
            connection.close()

    def _signal(self, sig: signal.Signals) -> None:
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            process = getattr(self, "_process", None)
            if process is not None and process.pid == pid:
                if process.poll() is not None:
                    break
            else:
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
            time.sleep(0.05)
        else:
            raise ServerError(f"mariadbd (pid {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s")
        self.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM) and wait for the process to end."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """End the server at once (SIGKILL), as a crash would: InnoDB recovers at the next start."""
        self._signal(signal.SIGKILL)
