"""A Spark standalone cluster on this machine: one master and N workers as plain processes
(`make cluster`, `lakehouse cluster start`, the cluster tests).

The Spark inside the installed pyspark wheel runs them (`SPARK_HOME` is the pyspark
package folder; `bin/spark-class` is the one launcher it ships). Everything listens on
127.0.0.1. Each worker offers `worker_cores` cores and `worker_memory` to executors,
and keeps its executors' work folders and logs under the cluster's folder, which also
holds the master's and workers' logs and `cluster.json` (ports and process ids), so
`stop` works from another process. Each master and worker leads a process group of its
own, which its executors join, so `kill_worker` takes a worker down as a lost machine
would, executors included. A process belongs to the cluster when its output goes to a
file in the cluster's folder: `stop` ends exactly those, and never a process that was
given a recorded pid later. Point the lakehouse at it with
`LAKEHOUSE_SPARK_MASTER` (`env()`); executor sizes that fit a worker are in
config/local-cluster.yaml.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from lakehouse_assets.resources.local_process import LocalProcess, free_port, launch, wait_until
from lakehouse_assets.settings import SPARK_MASTER_VAR

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
POLL_S = 0.5
DAEMON_MEMORY = "512m"  # heap of the master and worker processes themselves, not of executors


class ClusterError(RuntimeError):
    """The cluster did not start or stop; the message says which log to read."""


def spark_home() -> Path:
    """The Spark of the pyspark wheel: its `bin/spark-class` starts masters and workers."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


@dataclass
class LocalSparkCluster:
    """A master on 127.0.0.1:`port` (web UI on `webui_port`) and `workers` workers, state in `folder`."""

    folder: Path
    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "1g"
    port: int = 0        # 0: a free port, chosen at start
    webui_port: int = 0
    _pids: dict[str, int] = field(default_factory=dict, repr=False)
    _worker_ports: list[int] = field(default_factory=list, repr=False)
    _children: dict[int, subprocess.Popen] = field(default_factory=dict, repr=False)  # started here

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).resolve()
        self._load_state()

    @property
    def master_url(self) -> str:
        """The LAKEHOUSE_SPARK_MASTER of this cluster."""
        return f"spark://127.0.0.1:{self.port}"

    @property
    def json_url(self) -> str:
        return f"http://127.0.0.1:{self.webui_port}/json/"

    @property
    def state_file(self) -> Path:
        return self.folder / "cluster.json"

    def log(self, name: str) -> Path:
        """`master` or `worker-N`: that process's log file."""
        return self.folder / f"{name}.log"

    def env(self) -> dict[str, str]:
        """The variables that point the lakehouse at this cluster."""
        return {SPARK_MASTER_VAR: self.master_url}

    def process_env(self) -> dict[str, str]:
        """The environment of the master and workers: this machine only, this venv's Python."""
        return {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
                "SPARK_DAEMON_MEMORY": DAEMON_MEMORY, "PYSPARK_PYTHON": sys.executable}

    def master_command(self) -> list[str]:
        return [str(spark_home() / "bin" / "spark-class"), MASTER_CLASS, "--host", "127.0.0.1",
                "--port", str(self.port), "--webui-port", str(self.webui_port)]

    def worker_command(self, number: int, port: int) -> list[str]:
        return [str(spark_home() / "bin" / "spark-class"), WORKER_CLASS, self.master_url,
                "--host", "127.0.0.1", "--port", str(port), "--webui-port", "0",
                "--cores", str(self.worker_cores), "--memory", self.worker_memory,
                "--work-dir", str(self.folder / f"worker-{number}")]

    def running(self) -> dict[str, int]:
        """The master and workers that still run, by name (`master`, `worker-1`, ...)."""
        alive = self.processes()
        return {name: pid for name, pid in self._pids.items() if pid in alive}

    def start(self) -> LocalSparkCluster:
        """Start the master, then the workers, and wait until every worker has registered."""
        if self.running():
            raise ClusterError(f"a cluster already runs in {self.folder} (pids {self.running()})")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.webui_port = self.webui_port or free_port()
        self._pids, self._worker_ports = {}, []
        try:
            self._launch("master", self.master_command())
            self._wait(lambda state: True, f"the master did not answer on {self.json_url}")
            for number in range(1, self.workers + 1):
                self._worker_ports.append(free_port())
                self._launch(f"worker-{number}", self.worker_command(number, self._worker_ports[-1]))
            self._wait(lambda state: len(self.alive_worker_ports(state)) == self.workers)
        except BaseException:
            self.stop()
            raise
        return self

    def _launch(self, name: str, command: list[str]) -> None:
        process = launch(command, self.log(name), self.process_env())
        self._pids[name] = process.pid
        self._children[process.pid] = process
        self._save_state()

    def master_state(self) -> dict | None:
        """The master's `/json/` answer (workers, `aliveworkers`, applications), or None while it is down."""
        try:
            with urllib.request.urlopen(self.json_url, timeout=2) as answer:
                return json.load(answer)
        except (OSError, ValueError):
            return None

    def alive_worker_ports(self, state: dict | None = None) -> set[int]:
        state = state if state is not None else self.master_state() or {}
        return {w.get("port") for w in state.get("workers", []) if w.get("state") == "ALIVE"} \
            & set(self._worker_ports)

    def _wait(self, ready, problem: str | None = None) -> None:
        """Wait until the master is alive and `ready(its state)`; an exited master or worker, or the
        timeout, raise a ClusterError naming the logs to read (without `problem`: the workers the
        master has not seen)."""
        def answered() -> bool:
            state = self.master_state()
            return state is not None and state.get("status") == "ALIVE" and ready(state)

        started = [LocalProcess(f"the Spark {name} process", log=self.log(name), process=self._children[pid])
                   for name, pid in self._pids.items()]
        if problem is not None:
            wait_until(answered, timeout=START_TIMEOUT_S, problem=problem, error=ClusterError,
                       log=self.log("master"), processes=started, poll_s=POLL_S)
        else:
            wait_until(answered, timeout=START_TIMEOUT_S, error=ClusterError, processes=started, poll_s=POLL_S,
                       problem=lambda: f"not every worker registered with the master "
                                       f"(missing: {', '.join(self._missing_workers())})",
                       log=lambda: [*map(self.log, self._missing_workers()), self.log("master")])

    def _missing_workers(self) -> list[str]:
        """The workers the master has not seen."""
        alive = self.alive_worker_ports()
        return [f"worker-{n}" for n, port in enumerate(self._worker_ports, 1) if port not in alive]

    def processes(self) -> dict[int, int]:
        """Every running process of this cluster, pid -> process group: those whose standard output
        is a file in its folder (the master's and workers' logs, the executors' `stdout` files in
        the work folders). A pid in `cluster.json` that the system gave to another process since
        is not one of them."""
        found = {}
        prefix = f"{self.folder}{os.sep}"
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(entry / "fd" / "1").startswith(prefix):
                    found[int(entry.name)] = os.getpgid(int(entry.name))
            except OSError:  # gone, or not ours to read
                continue
        return found

    def kill_worker(self, number: int) -> None:
        """End worker `number` and its executors at once (SIGKILL), as a lost machine would."""
        group = self._pids[f"worker-{number}"]  # each worker leads its group; its executors are in it
        self._end({pid for pid, pgid in self.processes().items() if pgid == group}, signal.SIGKILL, STOP_TIMEOUT_S)

    def stop(self) -> None:
        """SIGTERM to every process of the cluster, SIGKILL to those still running after
        STOP_TIMEOUT_S; returns when none runs."""
        left = self._end(set(self.processes()), signal.SIGTERM, STOP_TIMEOUT_S)
        if self._end(left, signal.SIGKILL, STOP_TIMEOUT_S):
            raise ClusterError(f"Spark processes of {self.folder} did not stop: {sorted(self.processes())}")
        self._pids = {}
        self.state_file.unlink(missing_ok=True)

    def _end(self, pids: set[int], sig: signal.Signals, timeout: float) -> set[int]:
        """Signal `pids` and wait up to `timeout` for them to end; the pids still running."""
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while True:
            for child in self._children.values():
                child.poll()  # reap the ones started here: an unreaped child still shows in /proc
            left = pids & set(self.processes())
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.1)

    def _save_state(self) -> None:
        self.state_file.write_text(json.dumps({
            "port": self.port, "webui_port": self.webui_port, "pids": self._pids,
            "worker_ports": self._worker_ports}, indent=1) + "\n")

    def _load_state(self) -> None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return
        self.port = self.port or state.get("port", 0)
        self.webui_port = self.webui_port or state.get("webui_port", 0)
        self._pids = {name: int(pid) for name, pid in state.get("pids", {}).items()}
        self._worker_ports = [int(p) for p in state.get("worker_ports", [])]

