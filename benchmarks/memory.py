"""Run a benchmark process and read its peak memory: the Python driver and its Spark JVM.

PySpark starts the JVM as a child of the Python process, through `spark-submit`,
which first runs a short-lived `java` launcher to build the command line and then
becomes the Spark JVM. Every 0.2 s the parent reads `VmHWM` (the kernel's
resident-set high-water mark) of the Python process and of every `java` process
below it at that moment; the JVM figure is the largest of them, so the launcher's
few megabytes never stand in for the JVM. The last reading before exit is the
peak, short of at most the final 0.2 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.protocol import RESULT_PREFIX, BenchFailure

REPO_ROOT = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.2
STDERR_TAIL = 3000


@dataclass
class ProcessRun:
    """What one measured process did: wall seconds, peak memory (MB), and its result line."""

    wall_seconds: float
    python_peak_mb: float
    jvm_peak_mb: float
    result: dict[str, Any] = field(default_factory=dict)


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    """pids below `root`, from /proc/<pid>/stat parent links."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found += children
        frontier += children
    return found


def _is_java(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "java"
    except OSError:
        return False


def run_measured(argv: list[str], env: Mapping[str, str], timeout: float | None = None) -> ProcessRun:
    """Run `argv`, sampling memory; raise `BenchFailure` with its stderr tail if it fails."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    python_kb, jvm_kb = 0, 0
    # Drained on threads so a chatty process never blocks on a full pipe while we sample.
    streams: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=n, s=s: streams.__setitem__(n, s.read()), daemon=True)
               for n, s in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        python_kb = max(python_kb, _status_kb(proc.pid, "VmHWM"))
        for pid in _descendants(proc.pid):
            if _is_java(pid):
                jvm_kb = max(jvm_kb, _status_kb(pid, "VmHWM"))
        if timeout is not None and time.perf_counter() - began > timeout:
            proc.kill()
            raise BenchFailure(f"{' '.join(argv[:4])} took longer than {timeout:.0f} s")
        try:
            proc.wait(timeout=POLL_SECONDS)  # returns at once when the process exits
        except subprocess.TimeoutExpired:
            pass
    wall = time.perf_counter() - began
    for reader in readers:
        reader.join()
    if proc.returncode != 0:
        raise BenchFailure(f"{' '.join(argv[:6])} exited with {proc.returncode}:\n"
                           f"{streams.get('stderr', '')[-STDERR_TAIL:]}")
    results = [line[len(RESULT_PREFIX):] for line in streams.get("stdout", "").splitlines()
               if line.startswith(RESULT_PREFIX)]
    return ProcessRun(wall, python_kb / 1024, jvm_kb / 1024, json.loads(results[-1]) if results else {})


def run_child(task: str, args: Mapping[str, Any], env: Mapping[str, str]) -> ProcessRun:
    """One `benchmarks.child` task in a fresh process (which finds this package from any folder)."""
    argv = [sys.executable, "-m", "benchmarks.child", task, json.dumps(dict(args))]
    return run_measured(argv, with_package_on_path(env))


def with_package_on_path(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with the folder holding the `benchmarks` package first on PYTHONPATH: the package
    is not installed, it is imported from the repository."""
    paths = [str(REPO_ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def bench_env(landing_root: str | Path, lakehouse_root: str | Path, **extra: str) -> dict[str, str]:
    """This process's environment with the two roots set and no Dagster home (an ephemeral
    instance), unless `extra` gives one."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update({"LAKEHOUSE_LANDING_ROOT": str(landing_root), "LAKEHOUSE_ROOT": str(lakehouse_root), **extra})
    return env
