"""The daily job for one day in a process of its own, for tests that kill it with SIGKILL.

    python -m lakehouse_assets_tests.faults.driver --day 2024-01-02 [--select layer/table,...]

Roots come from `LAKEHOUSE_LANDING_ROOT` / `LAKEHOUSE_ROOT`, as for `lakehouse run`.
Exit code 0 when the run succeeded; 1 with the failed steps otherwise.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import date


def _start_spark() -> None:
    from lakehouse_assets.resources.spark import build_spark_session
    from lakehouse_assets.settings import load_settings

    build_spark_session(load_settings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", required=True, type=date.fromisoformat)
    parser.add_argument("--select", default="", help="comma-separated layer/table keys (default: every asset)")
    args = parser.parse_args(argv)
    began = time.monotonic()
    # Start the JVM while Dagster imports: the run's SparkResource then joins this session.
    jvm = threading.Thread(target=_start_spark, daemon=True)
    jvm.start()
    import lakehouse_assets.definitions  # noqa: F401 - the slow import, made while the JVM starts
    from lakehouse_assets_tests.faults.harness import run_selection

    jvm.join()
    try:
        run_selection(args.day, [key for key in args.select.split(",") if key])
    except RuntimeError as failure:
        print(f"FAILED {failure}", flush=True)
        return 1
    print(f"DONE in {time.monotonic() - began:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
