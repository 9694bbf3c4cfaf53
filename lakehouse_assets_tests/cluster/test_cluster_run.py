"""`lakehouse run` on a real Spark standalone cluster, losing a worker halfway, with OpenLineage on.

One whole-graph run of the reference days, as a subprocess whose driver uses the module's
cluster (LAKEHOUSE_SPARK_MASTER) and posts lineage to a receiver on loopback. Once the run
has committed its first bronze table, one of the two workers is killed with its executor,
as a lost machine would be: Spark reschedules the lost tasks on the other worker and the
run finishes. Every run-independent table then equals the local reference lakehouse, and
the lineage of gold/fact_sales names its inputs, its column lineage and the Dagster run
and step that wrote it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lakehouse_assets.settings import PROJECT_ROOT
from lakehouse_assets_tests.cluster.conftest import LineageReceiver
from lakehouse_assets_tests.pipeline import DAY1, DAY2, Lakehouse

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 900
KILLED_WORKER = 2
# Variables that would add the optional sources or an instance to the run.
UNSET = ("DAGSTER_HOME", "LAKEHOUSE_MART_URL", "LAKEHOUSE_CRM_JDBC_URL", "LAKEHOUSE_KAFKA_BOOTSTRAP",
         "LAKEHOUSE_FX_API_URL", "LAKEHOUSE_CONFIG_DIR")
# audit/ingested_files records where each landing file lay and when it was written: the run's
# copy of the reference landing differs there only.
INGESTED_FILES = "audit/ingested_files"
WHERE_AND_WHEN = frozenset({"path", "duplicate_of", "file_modified_at"})
FACT_INPUTS = {"silver/orders", "silver/fx_rates", "silver/dim_customer", "silver/dim_product",
               "silver/dim_store", "silver/dim_sales_person"}


def table_key(dataset: dict) -> str:
    """`layer/table` of a dataset named by its path."""
    return "/".join(dataset["name"].rstrip("/").split("/")[-2:])


def content(spark, root: Path, landing: Path, key: str) -> list[tuple]:
    """The table's business content; audit/ingested_files's paths relative to the landing root."""
    lake = Lakehouse(str(landing), str(root), spark)
    if key != INGESTED_FILES:
        return lake.snapshot(key)
    paths = sorted((Path(r.path).relative_to(landing).as_posix(),
                    r.duplicate_of and Path(r.duplicate_of).relative_to(landing).as_posix())
                   for r in lake.table(key).select("path", "duplicate_of").collect())
    return [*lake.snapshot(key, exclude=WHERE_AND_WHEN), *paths]


def first_bronze_commit(root: Path) -> bool:
    return any(root.glob("bronze/*/_delta_log/00000000000000000000.json"))


@pytest.fixture(scope="module")
def cluster_run(cluster, reference, tmp_path_factory):
    """The run: its exit code and output, its lakehouse, the lineage events received."""
    work = tmp_path_factory.mktemp("cluster-run")
    landing, root = shutil.copytree(reference.landing, work / "landing"), work / "lakehouse"
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    with LineageReceiver() as receiver:
        env.update({"LAKEHOUSE_ENV": "test", "LAKEHOUSE_LANDING_ROOT": str(landing), "LAKEHOUSE_ROOT": str(root),
                    "LAKEHOUSE_CATALOG": "none", "LAKEHOUSE_OPENLINEAGE_URL": receiver.url, **cluster.env()})
        log = work / "run.log"
        with open(log, "wb") as out:
            run = subprocess.Popen([sys.executable, "-m", "lakehouse_assets.cli.main", "run", "--start",
                                    DAY1.isoformat(), "--end", DAY2.isoformat()],
                                   cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        began, killed_at = time.monotonic(), None
        try:
            while run.poll() is None and time.monotonic() - began < RUN_TIMEOUT_S:
                if killed_at is None and first_bronze_commit(root):
                    cluster.kill_worker(KILLED_WORKER)
                    killed_at = time.monotonic() - began
                time.sleep(0.2)
            if run.poll() is None:
                run.kill()
                pytest.fail(f"lakehouse run on the cluster took over {RUN_TIMEOUT_S} s; see {log}")
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
    return {"code": run.returncode, "output": log.read_text(errors="replace"), "root": root, "landing": landing,
            "killed_at": killed_at, "events": receiver.events, "paths": receiver.paths}


def test_the_run_finishes_after_losing_a_worker(cluster, cluster_run):
    assert cluster_run["killed_at"] is not None, "the run ended before its first bronze commit"
    assert cluster_run["code"] == 0, f"lakehouse run on the cluster failed:\n{cluster_run['output'][-4000:]}"
    # Both workers ran an executor of the run before one was lost.
    assert all(any((cluster.folder / f"worker-{n}").glob("app-*/*")) for n in (1, 2))
    assert cluster.alive_worker_ports() and len(cluster.alive_worker_ports()) == 1


def test_every_table_equals_the_local_reference(spark, reference, cluster_run):
    assert cluster_run["code"] == 0
    for key in reference.tables():
        expected = content(spark, reference.root, reference.landing, key) if key == INGESTED_FILES \
            else reference.snapshot(key)
        assert content(spark, cluster_run["root"], cluster_run["landing"], key) == expected, key


def test_lineage_of_fact_sales_names_its_inputs_columns_and_dagster_step(cluster_run):
    events = cluster_run["events"]
    assert cluster_run["paths"] == {"/api/v1/lineage"}
    writes = [e for e in events if e["eventType"] == "COMPLETE"
              and any(table_key(o) == "gold/fact_sales" for o in e.get("outputs", []))
              and {table_key(i) for i in e.get("inputs", [])} >= FACT_INPUTS]
    assert writes, f"no COMPLETE event writes gold/fact_sales from {sorted(FACT_INPUTS)}"
    event = writes[0]
    output = next(o for o in event["outputs"] if table_key(o) == "gold/fact_sales")
    sources = {(table_key(f), f["field"])
               for f in output["facets"]["columnLineage"]["fields"]["net_amount_usd"]["inputFields"]}
    assert {("silver/orders", "net_amount"), ("silver/fx_rates", "usd_per_unit")} <= sources
    tags = event["run"]["facets"]["spark_properties"]["properties"]
    daily_runs = set(re.findall(r"daily_assets - ([0-9a-f-]{36}) - ", cluster_run["output"]))
    assert tags["lakehouse.dagster.run_id"] in daily_runs
    assert (tags["lakehouse.dagster.job"], tags["lakehouse.dagster.step"], tags["lakehouse.dagster.assets"]) \
        == ("daily_assets", "gold__fact_sales", "gold/fact_sales")


def test_every_lineage_event_names_the_step_that_wrote_its_table(cluster_run):
    """The Dagster tags follow the steps: each written table is one of its step's assets."""
    written = [(table_key(o), e["run"]["facets"]["spark_properties"]["properties"]) for e in cluster_run["events"]
               for o in e.get("outputs", [])]
    assert len({key for key, _ in written}) >= 25
    wrong = [(key, tags.get("lakehouse.dagster.step")) for key, tags in written
             if key not in tags.get("lakehouse.dagster.assets", "").split(",")]
    assert not wrong
