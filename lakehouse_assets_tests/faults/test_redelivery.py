"""Duplicate deliveries after the days were processed change no count in silver, fact or marts.

On top of the clean reference run: a file delivered again under the same name (same
bytes, new modification time), the same content under a new name, and a copy of an
old day's file landing after that day was processed. `lakehouse run` over both days
then leaves silver, quarantine, the dimensions, the fact and the marts exactly as they
were; bronze keeps the extra lines (marked `_duplicate_of`) and the file audit lists
the copies as `duplicate_content`.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from pyspark.sql import functions as F

from lakehouse_assets.io_managers.delta_rs import open_delta_rs
from lakehouse_assets_tests.pipeline import DAY1, DAY2, Reference, lakehouse_env, snapshot

pytestmark = pytest.mark.slow


def folder(landing, source, day):
    return landing / source / f"date={day.isoformat()}"


def test_redelivered_files_change_no_count(reference: Reference, spark, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(reference.landing, landing)  # copy2: modification times kept
    root = reference.copy_to(tmp_path / "lakehouse")
    same_name = next(folder(landing, "orders", DAY2).glob("*.csv"))
    os.utime(same_name, (time.time(), time.time()))  # delivered again: same name and bytes, new time
    new_name = folder(landing, "sales_team", DAY2) / "sales_team_resent.csv.gz"
    shutil.copyfile(next(folder(landing, "sales_team", DAY2).glob("*.csv.gz")), new_name)
    late_copy = folder(landing, "orders", DAY1) / "orders_again.csv"
    shutil.copyfile(next(folder(landing, "orders", DAY1).glob("*.csv")), late_copy)

    with lakehouse_env(spark, landing, root) as lake:
        assert lake.run(DAY1, DAY2) == 0, "\n".join(lake.output)
    unchanged = [k for k in reference.tables() if not k.startswith(("bronze/", "audit/"))]
    assert any(k.startswith("gold/customer_monthly") for k in unchanged)
    differ = [key for key in unchanged if snapshot(spark, root, key) != reference.snapshot(key)]
    assert not differ, f"re-delivered files changed {differ}"

    def bronze_rows(lakehouse, source):
        return open_delta_rs(str(lakehouse / "bronze" / source)).to_pyarrow_table(columns=["_source_file"]).num_rows

    audit = spark.read.format("delta").load(str(root / "audit" / "ingested_files"))
    copies = {r["path"]: r for r in audit.where(F.col("path").isin(str(new_name), str(late_copy))).collect()}
    assert {r["status"] for r in copies.values()} == {"duplicate_content"} and len(copies) == 2
    for source, copy in (("sales_team", new_name), ("orders", late_copy)):
        assert bronze_rows(root, source) == bronze_rows(reference.root, source) + copies[str(copy)]["rows"] > 0
