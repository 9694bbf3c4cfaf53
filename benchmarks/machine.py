"""The machine and software a benchmark ran on, for the report's header."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import subprocess
from pathlib import Path

PACKAGES = ("pyspark", "delta-spark", "dagster", "duckdb")


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.machine()


def memory_gb() -> float | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) / 1024 ** 2 if match else None


def java_version() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = out.splitlines()[0] if out else "unknown"
    return first.replace('"', "")


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def describe(spark_master: str, env: str) -> list[tuple[str, str]]:
    """(name, value) rows: CPU, cores, RAM, OS, Python, Java, library versions, Spark setup."""
    ram = memory_gb()
    rows = [
        ("CPU", f"{cpu_model()} ({platform.machine()})"),
        ("cores", str(os.cpu_count())),
        ("RAM", f"{ram:.1f} GB" if ram else "unknown"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Java", java_version()),
    ]
    rows += [(name, package_version(name)) for name in PACKAGES]
    rows.append(("Spark", f"`{spark_master}`, `config/{env}.yaml`"))
    return rows
