"""The JVM side of Spark: a usable Java and the jar cache `make install` fills."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from lakehouse_assets.settings import PROJECT_ROOT

MIN_JAVA = 17
REQUIRED_JARS = ("delta-spark_2.12-", "delta-storage-", "hadoop-aws-", "aws-java-sdk-bundle-")


class JvmSetupError(RuntimeError):
    """Java or the jar cache is missing; the message says what to do."""


def jar_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_JAR_DIR", PROJECT_ROOT / ".cache" / "jars"))


def spark_jars() -> list[str]:
    """Absolute paths of the cached jars, or a clear error naming what is missing."""
    folder = jar_dir()
    jars = sorted(str(p) for p in folder.glob("*.jar"))
    missing = [prefix.rstrip("-_") for prefix in REQUIRED_JARS
               if not any(Path(j).name.startswith(prefix) for j in jars)]
    if missing:
        raise JvmSetupError(
            f"Spark jars missing from {folder}: {', '.join(missing)}. Run `make install` "
            "(it fetches them once with Maven)."
        )
    return jars


def java_major_version() -> int | None:
    java = shutil.which("java", path=_java_path())
    if java is None:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_java() -> None:
    major = java_major_version()
    if major is None or major < MIN_JAVA:
        found = "no java on PATH" if major is None else f"found Java {major}"
        raise JvmSetupError(
            f"Spark needs Java {MIN_JAVA} or newer ({found}): install OpenJDK {MIN_JAVA}, "
            "e.g. `apt-get install openjdk-17-jre-headless`, or set JAVA_HOME."
        )


def _java_path() -> str:
    home = os.environ.get("JAVA_HOME")
    path = os.environ.get("PATH", "")
    return f"{home}/bin{os.pathsep}{path}" if home else path
