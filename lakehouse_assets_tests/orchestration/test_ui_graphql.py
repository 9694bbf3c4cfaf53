"""The UI's API: `dagster-webserver` (temporary DAGSTER_HOME, telemetry off, a free
loopback port) loads the code location from workspace.yaml, shows the layer groups and
descriptions, and launches a one-partition materialization over GraphQL that succeeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from lakehouse_assets.generate import generate
from lakehouse_assets.run_plan import DAILY_JOB, PARTITION_TAG
from lakehouse_assets.settings import PROJECT_ROOT
from lakehouse_assets_tests.s3 import free_port

pytestmark = pytest.mark.slow
DAY = date(2024, 3, 12)
SELECTION = [["bronze", "orders"]]
# Runs launch at once (no daemon needed to dequeue them), in a subprocess like in production.
INSTANCE_YAML = """telemetry:
  enabled: false
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
"""
# A parent is never in a later layer: bronze -> silver (and quarantine) -> gold; audit reads any layer.
LAYER_ORDER = {"bronze": 0, "quarantine": 1, "silver": 1, "gold": 2, "audit": 3, "serving": 3}

LAUNCH = """mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}"""
RUN = """query Run($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status tags { key value } } }
  logsForRun(runId: $runId) { ... on EventConnection { events { __typename ... on MessageEvent { message } } } }
}"""
ASSETS = "{ assetNodes { assetKey { path } groupName description dependencyKeys { path } } }"
LOCATION = """{ workspaceOrError { ... on Workspace { locationEntries {
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


class GraphQL:
    def __init__(self, url: str):
        self.url = url

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


def wait_for_location(graphql: GraphQL, server: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"webserver exited: {log.read_text()[-3000:]}"
        try:
            entries = graphql(LOCATION)["workspaceOrError"]["locationEntries"]
        except OSError:
            entries = []
        loaded = [e["locationOrLoadError"] for e in entries if e["locationOrLoadError"]]
        if loaded:
            assert loaded[0]["__typename"] == "RepositoryLocation", loaded[0]
            return
        time.sleep(1)
    raise AssertionError(f"code location not loaded in {timeout}s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    generate(DAY, 1, str(root / "landing"), rows_per_day=5, seed=2, defects=0.0, progress=False)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "LAKEHOUSE_ENV": "test",
           "LAKEHOUSE_LANDING_ROOT": str(root / "landing"), "LAKEHOUSE_ROOT": str(root / "lakehouse")}
    log = root / "webserver.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port),
             "-w", str(PROJECT_ROOT / "workspace.yaml")],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    graphql = GraphQL(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_for_location(graphql, server, log)
        yield graphql, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_assets_are_grouped_by_layer_described_and_flow_bronze_to_gold(webserver):
    graphql, _ = webserver
    nodes = graphql(ASSETS)["assetNodes"]
    assert len(nodes) > 20
    for node in nodes:
        layer = node["assetKey"]["path"][0]
        assert node["groupName"] == layer, node
        assert node["description"], node
        for parent in node["dependencyKeys"]:
            assert LAYER_ORDER[parent["path"][0]] <= LAYER_ORDER[layer], (parent, node["assetKey"])


def test_one_partition_materialization_launched_over_graphql_succeeds(webserver, spark):
    graphql, root = webserver
    params = {
        "selector": {"repositoryLocationName": "lakehouse", "repositoryName": "__repository__",
                     "jobName": DAILY_JOB, "assetSelection": [{"path": key} for key in SELECTION]},
        "mode": "default",
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": PARTITION_TAG, "value": DAY.isoformat()}]},
    }
    launched = graphql(LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status, answer = time.monotonic() + 420, None, {}
    while time.monotonic() < deadline:
        answer = graphql(RUN, {"runId": run_id})
        status = answer["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    messages = [e.get("message") for e in answer["logsForRun"]["events"] if e.get("message")]
    assert status == "SUCCESS", messages[-15:]
    tags = {t["key"]: t["value"] for t in answer["runOrError"]["tags"]}
    assert tags[PARTITION_TAG] == DAY.isoformat()
    bronze = spark.read.format("delta").load(str(root / "lakehouse" / "bronze" / "orders"))
    assert {r[0] for r in bronze.select("_partition_date").distinct().collect()} == {DAY}
    assert bronze.count() > 0
