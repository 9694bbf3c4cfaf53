"""Run part of the daily job, look at a Delta table's files, and kill a run mid-write.

`run_selection` is the daily job for one day, limited to some assets, exactly as the
kill driver runs it in a child process. `DeltaFiles` reads a table's files and log
with plain Python, so what a killed writer left behind is seen without Spark.
`run_until_written` starts the driver and SIGKILLs its whole process group (Python
and the Spark JVM) a chosen delay after the first new data file of the watched table
appears on disk, i.e. while that table is being written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lakehouse_assets_tests.conftest import TEST_PII_KEYS

POLL_SECONDS = 0.005
DRIVER = "lakehouse_assets_tests.faults.driver"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def soak_trials(default: int) -> int:
    """`LAKEHOUSE_SOAK_TRIALS` scales the crash trials up for `make soak`."""
    return max(int(os.environ.get("LAKEHOUSE_SOAK_TRIALS", default)), 1)


def soak_seed(default: int = 20240131) -> int:
    return int(os.environ.get("LAKEHOUSE_SOAK_SEED", default))


def run_selection(day: date, keys: Sequence[str] = ()) -> None:
    """The daily job for `day`, limited to `keys` (`layer/table`; empty = the whole job)."""
    from dagster import AssetKey, DagsterInstance

    from lakehouse_assets.definitions import defs
    from lakehouse_assets.run_plan import DAILY_JOB

    selection = [AssetKey(key.split("/")) for key in keys] or None
    result = defs.resolve_job_def(DAILY_JOB).execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key=day.isoformat(),
        asset_selection=selection, raise_on_error=False,
    )
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        raise RuntimeError(f"daily job for {day} ({', '.join(keys) or 'all assets'}) failed in {failed}")


class DeltaFiles:
    """A local Delta table's data files on disk and in its log."""

    def __init__(self, table_dir: Path):
        self.dir = Path(table_dir)

    def on_disk(self) -> set[str]:
        """Data files (relative paths), hidden files such as checksums left out."""
        if not self.dir.is_dir():
            return set()
        return {str(p.relative_to(self.dir)) for p in self.dir.rglob("*.parquet")
                if "_delta_log" not in p.parts and not p.name.startswith((".", "_"))}

    def commits(self) -> list[Path]:
        log = self.dir / "_delta_log"
        return sorted(log.glob("[0-9]*.json")) if log.is_dir() else []

    def version(self) -> int:
        commits = self.commits()
        return int(commits[-1].stem) if commits else -1

    def in_log(self) -> set[str]:
        """Every data file any commit added or removed (so also files of older versions)."""
        from urllib.parse import unquote

        seen: set[str] = set()
        for commit in self.commits():
            for line in commit.read_text().splitlines():
                action = json.loads(line)
                for kind in ("add", "remove"):
                    if kind in action:
                        seen.add(unquote(action[kind]["path"]))
        return seen

    def uncommitted(self) -> set[str]:
        """Files on disk that no commit references: what a writer killed before its commit leaves."""
        return self.on_disk() - self.in_log()


@dataclass
class Kill:
    """What happened to one killed run."""

    killed: bool  # False: the run finished (or failed) before the watched table was written
    seconds: float  # from start to kill (or exit)
    delay: float  # the chosen delay after the first new data file
    exit_code: int | None
    output: str


def driver_env(landing_root: Path | str, lakehouse_root: Path | str) -> dict[str, str]:
    env = {**os.environ, **{k: os.environ.get(k, v) for k, v in TEST_PII_KEYS.items()}}
    env.update(LAKEHOUSE_ENV="test", LAKEHOUSE_LANDING_ROOT=str(landing_root), LAKEHOUSE_ROOT=str(lakehouse_root),
               PYTHONPATH=str(PROJECT_ROOT))
    env.pop("DAGSTER_HOME", None)
    return env


def start_driver(day: date, keys: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """The daily job in a child process of its own process group (so a kill takes the JVM too)."""
    command = [sys.executable, "-m", DRIVER, "--day", day.isoformat(), "--select", ",".join(keys)]
    handle = open(log, "wb")
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def run_until_written(day: date, keys: Sequence[str], watched: Path, delay: float, env: dict[str, str],
                      log: Path, timeout: float = 600.0) -> Kill:
    """Start the driver; SIGKILL it `delay` seconds after `watched` gets its first new data file."""
    files = DeltaFiles(watched)
    before = files.on_disk()
    process = start_driver(day, keys, env, log)
    started = time.monotonic()
    try:
        while process.poll() is None and time.monotonic() - started < timeout:
            if files.on_disk() - before:
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return Kill(True, time.monotonic() - started, delay, process.returncode,
                            log.read_bytes().decode(errors="replace"))
            time.sleep(POLL_SECONDS)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return Kill(False, time.monotonic() - started, delay, process.returncode,
                    log.read_bytes().decode(errors="replace"))
    except BaseException:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise
