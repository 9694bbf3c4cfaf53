"""The events ingestion in a process of its own, for the kill test:
`python -m lakehouse_assets_tests.events.stream_child ROOT BOOTSTRAP TOPIC MAX_OFFSETS`."""

from __future__ import annotations

import sys
from pathlib import Path

from lakehouse_assets.events.stream import ingest_available
from lakehouse_assets.resources.spark import build_spark_session
from lakehouse_assets.settings import load_settings
from lakehouse_assets_tests.events.conftest import target_for


def main(root: str, bootstrap: str, topic: str, max_offsets: str) -> None:
    spark = build_spark_session(load_settings("test"))
    spark.sparkContext.setLogLevel("ERROR")
    ingest_available(spark, target_for(Path(root), bootstrap, topic, int(max_offsets)))


if __name__ == "__main__":
    main(*sys.argv[1:])
