"""Peak-memory sampling of a benchmark process: the Python process and the JVM below it.

The measured child starts two JVMs one after the other, the way `spark-submit` does:
a short-lived small one (Spark's launcher) and then a long-lived one that touches a
256 MB heap. The JVM figure must be the big one's, not the launcher's."""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

from benchmarks.memory import run_measured
from benchmarks.protocol import RESULT_PREFIX, BenchFailure

HEAP_MB = 256
HOLDER = textwrap.dedent("""
    public class Hold {
        public static void main(String[] args) throws Exception { Thread.sleep(1500); }
    }
""")


def child_script(source: str) -> str:
    return textwrap.dedent(f"""
        import subprocess
        ballast = bytearray(300 * 1024 * 1024)  # 300 MB resident in this process
        subprocess.run(["java", "-Xmx32m", "-version"], check=True, capture_output=True)
        subprocess.run(["java", "-Xms{HEAP_MB}m", "-Xmx{HEAP_MB}m", "-XX:+AlwaysPreTouch", {source!r}], check=True)
        print({RESULT_PREFIX!r} + '{{"seconds": 1.0}}')
    """)


def test_the_peaks_are_the_python_process_and_its_largest_jvm(tmp_path):
    source = tmp_path / "Hold.java"
    source.write_text(HOLDER)
    run = run_measured([sys.executable, "-c", child_script(str(source))], env=os.environ)
    assert run.python_peak_mb >= 300
    assert run.jvm_peak_mb >= HEAP_MB, "the launcher JVM was taken for the Spark JVM"
    assert run.result == {"seconds": 1.0}
    assert run.wall_seconds >= 1.5


def test_a_failing_process_is_reported_with_its_error():
    with pytest.raises(BenchFailure, match="exited with 3") as failure:
        run_measured([sys.executable, "-c", "import sys; sys.stderr.write('no landing files'); sys.exit(3)"],
                     env=os.environ)
    assert "no landing files" in str(failure.value)
