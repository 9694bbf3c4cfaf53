"""`lakehouse mart|crm|kafka|cluster start|stop`: a local server started or stopped in its folder,
each said in one line, and the variables that point the lakehouse at it (`export NAME=VALUE`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol


class LocalServer(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...

    def env(self) -> dict[str, str]: ...


def pid_of(server) -> str | None:
    """`pid N` of a server known by its pid, or None when it does not run."""
    pid = server.pid()
    return f"pid {pid}" if pid is not None else None


def start_server(command: str, server: LocalServer, what: str, folder: Path, *,
                 running: Callable[[], str | None] | None = None, started: Callable[[], str] | None = None,
                 errors: tuple[type[Exception], ...] = (), then: Callable[[], None] | None = None) -> int:
    """`lakehouse COMMAND start`: start `server` unless it runs (`running()` names its processes,
    by default its pid; a second start is no error), say so (`started()` once it runs, by default
    its port, folder and pid), run `then`, print the exports. One of `errors` from the start
    becomes one line and exit code 1."""
    running = running or (lambda: pid_of(server))
    started = started or (lambda: f"{what} started on 127.0.0.1:{server.port} (data in {folder}, "
                                  f"pid {server.pid()})")
    processes = running()
    if processes:
        print(f"{what} already runs in {folder} ({processes})")
    else:
        try:
            server.start()
        except errors as error:
            print(f"lakehouse {command} start: {error}")
            return 1
        print(started())
    if then is not None:
        then()
    for name, value in server.env().items():
        print(f"export {name}={value}")
    return 0


def stop_server(server: LocalServer, what: str, folder: Path, *,
                running: Callable[[], str | None] | None = None) -> int:
    """`lakehouse ... stop`: stop `server` and say which processes ran (`running()`, by default its
    pid), or that none did."""
    processes = (running or (lambda: pid_of(server)))()
    server.stop()
    print(f"{what} in {folder} stopped ({processes})" if processes else f"no {what} runs in {folder}")
    return 0
