"""Regenerate the frozen sample's table digests: `python -m lakehouse_assets_tests.golden [--landing]`.

`--landing` also regenerates the landing sample itself (then every digest moves).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from lakehouse_assets_tests.golden import (
    DAYS,
    DEFECTS,
    DIGESTS,
    LANDING,
    MTIMES,
    ROWS_PER_DAY,
    SEED,
    START,
    TABLES,
    VOLATILE,
    copy_landing,
    digest,
)


def regenerate_landing() -> None:
    from lakehouse_assets.generate import generate

    shutil.rmtree(LANDING, ignore_errors=True)
    generate(START, DAYS, str(LANDING), rows_per_day=ROWS_PER_DAY, seed=SEED, defects=DEFECTS, progress=False)
    files = sorted(p for p in LANDING.rglob("*") if p.is_file())
    MTIMES.write_text(json.dumps({str(p.relative_to(LANDING)): p.stat().st_mtime for p in files}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", action="store_true", help="regenerate the landing sample too")
    args = parser.parse_args()
    if args.landing or not LANDING.exists():
        regenerate_landing()
    from lakehouse_assets.resources.spark import build_spark_session
    from lakehouse_assets.settings import load_settings
    from lakehouse_assets_tests.conftest import TEST_PII_KEYS  # noqa: F401 - sets the suite's masking keys
    from lakehouse_assets_tests.pipeline import lakehouse_env

    spark = build_spark_session(load_settings("test"))
    with tempfile.TemporaryDirectory() as tmp:
        landing = copy_landing(Path(tmp) / "landing")
        with lakehouse_env(spark, landing, Path(tmp) / "lakehouse") as lake:
            assert lake.run(START, START + timedelta(days=DAYS - 1)) == 0, "the run failed"
            digests = {key: digest(lake.snapshot(key, VOLATILE), landing) for key in TABLES}
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {DIGESTS}")


if __name__ == "__main__":
    main()
