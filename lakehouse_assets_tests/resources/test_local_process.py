"""The local server processes' shared parts (resources/local_process.py) with a plain Python
child instead of a server: ports, the pid file, stop and kill, and the errors naming the log."""

from __future__ import annotations

import socket
import sys

import pytest

from lakehouse_assets.cli.main import main
from lakehouse_assets.resources.local_process import LocalProcess, free_port, port_open, wait_until


class LauncherError(RuntimeError):
    pass


def _sleeper(tmp_path, name: str = "the sleeper") -> LocalProcess:
    return LocalProcess(name, pid_file=tmp_path / "sleeper.pid", log=tmp_path / "sleeper.log", error=LauncherError)


def test_a_free_port_opens_once_something_listens_on_it():
    port = free_port()
    assert not port_open(port)
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert port_open(port)


def test_stop_and_kill_end_the_process_of_the_pid_file(tmp_path):
    for end in (LocalProcess.stop, LocalProcess.kill):
        started = _sleeper(tmp_path).start([sys.executable, "-c", "import time; time.sleep(60)"],
                                           write_pid_file=True)
        found = _sleeper(tmp_path)  # another process knows it by its pid file only
        assert found.pid() == started.process.pid
        end(started)
        assert started.process.poll() is not None and found.pid() is None
        assert not found.pid_file.exists()
        end(found)  # nothing runs: nothing to do


def test_an_exit_at_start_names_the_log_and_quotes_its_end(tmp_path):
    process = _sleeper(tmp_path, "the server").start(
        [sys.executable, "-c", "import sys; print('starting'); print('port 1 already in use'); sys.exit(3)"])
    with pytest.raises(LauncherError) as raised:
        process.wait_until(lambda: False, timeout=30, problem="never")
    message = str(raised.value)
    assert message.startswith(f"the server exited with 3; see {tmp_path / 'sleeper.log'}")
    assert message.endswith("  starting\n  port 1 already in use")


def test_a_timeout_says_what_did_not_happen_and_where_to_look(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("line 1\nline 2\n")
    with pytest.raises(LauncherError, match=rf"^the port did not open within 0 s; see {log}; it ends with:\n  line 1"):
        wait_until(lambda: False, timeout=0.2, problem="the port did not open", error=LauncherError, log=log)


def test_stopping_servers_that_do_not_run_says_so(tmp_path, capsys):
    assert main(["kafka", "stop", "--folder", str(tmp_path / "kafka")]) == 0
    assert main(["mart", "stop", "--datadir", str(tmp_path / "mariadb")]) == 0
    assert main(["crm", "stop", "--datadir", str(tmp_path / "postgres")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" runs in ")[0] for line in lines] == ["no Kafka", "no MariaDB", "no PostgreSQL"]
