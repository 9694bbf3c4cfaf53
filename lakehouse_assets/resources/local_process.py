"""Server processes on this machine, as the local launchers run them (MariaDB, PostgreSQL,
Kafka, the Spark standalone cluster): a free port on 127.0.0.1, a process started in a
session of its own with its output in a log file, waiting for it with a deadline, and a
process known by its pid file, so that another process can stop it.

Each launcher keeps what is its own (command lines, first-start setup, when its server
is ready, the variables that point the lakehouse at it) and its own error class, which
these helpers raise. An error about a process names its log file and quotes its last lines.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

STOP_TIMEOUT_S = 30.0
LOG_LINES = 10


class LocalProcessError(RuntimeError):
    """A local server process did not start or stop; the message says why and which log to read."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def see_log(log: Path, lines: int = LOG_LINES) -> str:
    """`see LOG`, with the log's last `lines` lines when it has any."""
    try:
        tail = log.read_text(errors="replace")[-20_000:].splitlines()[-lines:]
    except OSError:
        tail = []
    tail = [line for line in tail if line.strip()]
    return f"see {log}" + ("; it ends with:\n" + "\n".join(f"  {line}" for line in tail) if tail else "")


def launch(command: list[str], log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """Start `command` in a session of its own (a signal to this process group does not reach
    it), its output appended to `log`, no input."""
    with open(log, "ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_until(ready: Callable[[], bool], *, timeout: float, problem: str | Callable[[], str],
               error: type[Exception] = LocalProcessError,
               log: Path | Callable[[], Iterable[Path]] | None = None,
               processes: Iterable[LocalProcess] = (), poll_s: float = 0.1) -> None:
    """Call `ready` every `poll_s` seconds until it returns true. Raise `error` when one of
    `processes` exits first (naming its log), or after `timeout` seconds: `problem` (or what it
    returns then) `within N s`, then `see LOG` for `log` (or each log it returns then)."""
    processes = list(processes)
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            process.raise_if_exited(error)
        if ready():
            return
        if time.monotonic() >= deadline:
            text = problem() if callable(problem) else problem
            logs = [] if log is None else log() if callable(log) else [log]
            raise error("; ".join([f"{text} within {timeout:.0f} s", *(see_log(path) for path in logs)]))
        time.sleep(poll_s)


def alive(pid: int) -> bool:
    """Whether process `pid` runs: it exists and is not a zombie (ended, not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc: as far as we can tell it runs


@dataclass
class LocalProcess:
    """One server process: the pid in `pid_file` (written by the server or by `start`), the
    `Popen` when this process started it, its output in `log`. `name` is how messages call it
    (`mariadbd`, `the Kafka broker`); `error` is the launcher's error class."""

    name: str
    pid_file: Path | None = None
    log: Path | None = None
    error: type[Exception] = LocalProcessError
    process: subprocess.Popen | None = None

    def pid(self) -> int | None:
        """The running process's PID (the first word of the pid file), or None."""
        if self.pid_file is None:
            return self.process.pid if self.process is not None and self.process.poll() is None else None
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if alive(pid) else None

    def start(self, command: list[str], *, env: Mapping[str, str] | None = None,
              write_pid_file: bool = False) -> LocalProcess:
        """Launch `command` with its output in `log`; `write_pid_file` for a server that writes none."""
        if self.log is None:
            raise ValueError(f"{self.name}: a log file is needed to start it")
        self.process = launch(command, self.log, env)
        if write_pid_file and self.pid_file is not None:
            self.pid_file.write_text(f"{self.process.pid}\n")
        return self

    def raise_if_exited(self, error: type[Exception] | None = None) -> None:
        if self.process is not None and self.process.poll() is not None:
            where = f"; {see_log(self.log)}" if self.log is not None else ""
            raise (error or self.error)(f"{self.name} exited with {self.process.returncode}{where}")

    def wait_until(self, ready: Callable[[], bool], *, timeout: float, problem: str, poll_s: float = 0.1) -> None:
        """`wait_until` for this process: its exit or the timeout raise its error, naming its log."""
        wait_until(ready, timeout=timeout, problem=problem, error=self.error, log=self.log,
                   processes=[self], poll_s=poll_s)

    def wait_for_port(self, port: int, *, timeout: float) -> None:
        self.wait_until(lambda: port_open(port), timeout=timeout, problem=f"{self.name} did not open port {port}")

    def _ended(self, pid: int) -> bool:
        if self.process is not None and self.process.pid == pid:
            return self.process.poll() is not None  # a child started here ends when it is reaped
        return not alive(pid)

    def signal(self, sig: signal.Signals, timeout: float = STOP_TIMEOUT_S) -> None:
        """Send `sig` to the running process and wait for it to end, then remove the pid file;
        nothing when none runs. Raises the launcher's error after `timeout` seconds."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while not self._ended(pid):
            if time.monotonic() >= deadline:
                raise self.error(f"{self.name} (pid {pid}) did not stop within {timeout:.0f} s")
            time.sleep(0.05)
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Shut down cleanly (SIGTERM) and wait for the process to end."""
        self.signal(signal.SIGTERM, timeout)

    def kill(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """End the process at once (SIGKILL), as a crash would."""
        self.signal(signal.SIGKILL, timeout)
