"""deploy/dagster: the production instance on a real PostgreSQL, end to end.

A PostgreSQL server in a temporary folder (`LocalPostgres`, resources/postgres_server.py)
gets the role and database that docs/operations.md asks for. DAGSTER_HOME holds
deploy/dagster/dagster.yaml byte for byte: only the DAGSTER_PG_* variables point it at
this server. The daemon and the webserver run the ExecStart commands of the two systemd
units, with the install folder replaced by this checkout and port 3000 by a free one;
systemd itself is not run (`systemd-analyze verify` checks the units' syntax when present).

Over the webserver's GraphQL the follow-up sensor is stopped (its monthly runs are not
this test's subject) and the landing sensor started; its first tick finds one small
landing day and the daemon dequeues and runs the daily job. While that writer runs, a
second writer run waits in the queue (the tag limit), and is cancelled. The run, its tags,
its events, the sensor tick and the daemons' heartbeats are then read with SQL.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from lakehouse_assets.generate import generate
from lakehouse_assets.resources.local_process import free_port
from lakehouse_assets.resources.postgres_server import INSTALL_HINT, LocalPostgres, ServerError
from lakehouse_assets.run_plan import DAILY_JOB, PARTITION_TAG, TRIGGER_TAG, WRITER_TAG, WRITER_TAGS
from lakehouse_assets.settings import PROJECT_ROOT
from lakehouse_assets_tests.orchestration.test_ui_graphql import GraphQL, wait_for_location

pytestmark = pytest.mark.slow

DEPLOY = PROJECT_ROOT / "deploy" / "dagster"
INSTALL_ROOT = "/opt/lakehouse"  # where the units expect the checkout and its .venv
UNITS = ("dagster-daemon.service", "dagster-webserver.service")
DAY = date(2024, 3, 12)
ROWS = 50
PG = {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_USER": "dagster", "DAGSTER_PG_PASSWORD": "dagster-test",
      "DAGSTER_PG_DB": "dagster"}
REPOSITORY = {"repositoryLocationName": "lakehouse", "repositoryName": "__repository__"}
RUN_TIMEOUT_S = 600
QUEUED_FOR_S = 12  # more than two dequeue intervals (5 s) of deploy/dagster/dagster.yaml

SENSOR = """query Sensor($s: SensorSelector!) { sensorOrError(sensorSelector: $s) {
  __typename ... on Sensor { jobOriginId sensorState { selectorId status } } } }"""
START = """mutation Start($s: SensorSelector!) { startSensor(sensorSelector: $s) {
  __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }"""
STOP = """mutation Stop($o: String!, $i: String!) { stopSensor(jobOriginId: $o, jobSelectorId: $i) {
  __typename ... on StopSensorMutationResult { instigationState { status } } ... on PythonError { message } } }"""
LAUNCH = """mutation Launch($p: ExecutionParams!) { launchRun(executionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message } } }"""
TERMINATE = """mutation Terminate($r: String!) { terminateRun(runId: $r) {
  __typename ... on TerminateRunSuccess { run { status } } ... on PythonError { message } } }"""


def unit_command(unit: str, port: int) -> list[str]:
    """The unit's ExecStart, run from this checkout and on `port` instead of 3000."""
    line = re.search(r"^ExecStart=(.+)$", (DEPLOY / unit).read_text(), re.M).group(1)
    line = line.replace(f"{INSTALL_ROOT}/.venv/bin", str(Path(sys.executable).parent))
    return shlex.split(line.replace(INSTALL_ROOT, str(PROJECT_ROOT)).replace("-p 3000", f"-p {port}"))


def stop_group(process: subprocess.Popen) -> None:
    """Stop a server and everything it started (code server, run workers, Spark): its process group."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader is gone; its children may not be
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL with the instance's role and database, as on a server. Its folder is not
    under pytest's temporary root, which only root may enter (the server runs as `postgres`)."""
    folder = Path(tempfile.mkdtemp(prefix="dagster-pg-"))
    server = LocalPostgres(folder)
    try:
        try:
            server.start()
        except (ServerError, OSError) as error:
            pytest.fail(f"PostgreSQL could not start ({error}); install it with: {INSTALL_HINT}")
        admin = server.connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE ROLE dagster LOGIN PASSWORD '{PG['DAGSTER_PG_PASSWORD']}'")
            cursor.execute("CREATE DATABASE dagster OWNER dagster")
        admin.close()
        yield server, {**PG, "DAGSTER_PG_PORT": str(server.port)}
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def sql(server: LocalPostgres, query: str, *args) -> list[tuple]:
    connection = server.connect(PG["DAGSTER_PG_DB"])
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def instance(postgres, tmp_path_factory):
    """The webserver and the daemon of the units on a DAGSTER_HOME with the production file."""
    server, pg_env = postgres
    root = tmp_path_factory.mktemp("instance")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copyfile(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, **pg_env, "DAGSTER_HOME": str(home), "LAKEHOUSE_ENV": "test",
           "LAKEHOUSE_LANDING_ROOT": str(root / "landing"), "LAKEHOUSE_ROOT": str(root / "lakehouse")}
    port, processes = free_port(), {}
    try:
        for unit in UNITS:
            log = root / f"{unit}.log"
            with open(log, "wb") as out:
                processes[unit] = subprocess.Popen(unit_command(unit, port), cwd=PROJECT_ROOT, env=env, stdout=out,
                                                   stderr=subprocess.STDOUT, start_new_session=True)
        graphql = GraphQL(f"http://127.0.0.1:{port}/graphql")
        wait_for_location(graphql, processes["dagster-webserver.service"], root / "dagster-webserver.service.log")
        yield graphql, server, root
    finally:
        for process in processes.values():
            stop_group(process)


def test_env_example_names_every_variable_the_instance_reads():
    text = (DEPLOY / "dagster.yaml").read_text()
    read = set(re.findall(r"env:\s*(\w+)", text))
    assert read == set(PG) | {"DAGSTER_PG_PORT"}
    example = set(re.findall(r"^(\w+)=", (DEPLOY / "dagster.env.example").read_text(), re.M))
    assert read <= example
    limits = yaml.safe_load(text)["concurrency"]["runs"]["tag_concurrency_limits"]
    assert limits == [{"key": WRITER_TAG, "limit": 1}]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    env_file = tmp_path / "dagster.env"
    shutil.copyfile(DEPLOY / "dagster.env.example", env_file)
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        assert re.search(r"^EnvironmentFile=/etc/lakehouse/dagster.env$", text, re.M), unit
        # This checkout and a user that exists here; the rest as committed.
        text = text.replace(f"{INSTALL_ROOT}/.venv/bin", str(Path(sys.executable).parent))
        text = text.replace(INSTALL_ROOT, str(PROJECT_ROOT)).replace("/etc/lakehouse/dagster.env", str(env_file))
        text = re.sub(r"^(User|Group)=.*$", r"\1=root", text, flags=re.M)
        (tmp_path / unit).write_text(text)
        done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stderr.strip(), f"{unit}: {done.stdout}{done.stderr}"


def _sensor(graphql: GraphQL, name: str) -> dict:
    found = graphql(SENSOR, {"s": {**REPOSITORY, "sensorName": name}})["sensorOrError"]
    assert found["__typename"] == "Sensor", found
    return found


def _runs(server: LocalPostgres) -> dict[str, str]:
    return dict(sql(server, "SELECT run_id, status FROM runs"))


def _hold_a_second_writer_in_the_queue(graphql: GraphQL, server: LocalPostgres, first: str) -> None:
    """A second writer run launched while `first` runs stays QUEUED; then it is cancelled."""
    params = {"selector": {**REPOSITORY, "jobName": DAILY_JOB, "assetSelection": [{"path": ["bronze", "orders"]}]},
              "mode": "default", "runConfigData": {},
              "executionMetadata": {"tags": [{"key": PARTITION_TAG, "value": DAY.isoformat()}]}}
    launched = graphql(LAUNCH, {"p": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    second = launched["run"]["runId"]
    since = time.monotonic()
    while time.monotonic() - since < QUEUED_FOR_S:
        statuses = _runs(server)
        assert statuses[first] == "STARTED", f"the sensor's run ended before the check: {statuses}"
        assert statuses[second] == "QUEUED", statuses
        time.sleep(2)
    cancelled = graphql(TERMINATE, {"r": second})["terminateRun"]
    assert cancelled["__typename"] == "TerminateRunSuccess", cancelled
    assert _runs(server)[second] == "CANCELED"


SENSOR_RUN = ("SELECT run_id, status FROM runs WHERE pipeline_name = %s AND run_id IN (SELECT run_id FROM run_tags"
              " WHERE key = 'dagster/sensor_name' AND value = 'landing_files')")


def _wait_for_the_sensor_run(graphql: GraphQL, server: LocalPostgres, root: Path) -> tuple[str, str]:
    """The landing sensor's run once it has ended; while it runs, the queue check above."""
    deadline, checked_queue = time.monotonic() + RUN_TIMEOUT_S, False
    while time.monotonic() < deadline:
        found = sql(server, SENSOR_RUN, DAILY_JOB)
        if found:
            (run_id, status), = found
            if status == "STARTED" and not checked_queue:
                _hold_a_second_writer_in_the_queue(graphql, server, run_id)
                checked_queue = True
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                assert checked_queue or status != "SUCCESS", "the run was never seen in progress"
                return run_id, status
        time.sleep(2)
    daemon_log = (root / "dagster-daemon.service.log").read_text()[-3000:]
    raise AssertionError(f"no finished run from the landing sensor in {RUN_TIMEOUT_S}s: {daemon_log}")


def test_landing_sensor_run_on_the_postgres_instance(instance):
    graphql, server, root = instance
    follow_up = _sensor(graphql, "follow_up_daily_runs")
    stopped = graphql(STOP, {"o": follow_up["jobOriginId"], "i": follow_up["sensorState"]["selectorId"]})
    assert stopped["stopSensor"]["instigationState"]["status"] == "STOPPED", stopped
    generate(DAY, 1, str(root / "landing"), rows_per_day=ROWS, seed=5, defects=0.0, progress=False)
    started = graphql(START, {"s": {**REPOSITORY, "sensorName": "landing_files"}})["startSensor"]
    assert started["__typename"] == "Sensor" and started["sensorState"]["status"] == "RUNNING", started

    run_id, status = _wait_for_the_sensor_run(graphql, server, root)
    events = sql(server, "SELECT dagster_event_type, asset_key, event FROM event_logs WHERE run_id = %s ORDER BY id",
                 run_id)
    assert status == "SUCCESS", [json.loads(e[2]).get("user_message") for e in events][-15:]
    tags = dict(sql(server, "SELECT key, value FROM run_tags WHERE run_id = %s", run_id))
    assert tags[PARTITION_TAG] == DAY.isoformat() and tags[TRIGGER_TAG] == "landing_sensor"
    assert tags[WRITER_TAG] == WRITER_TAGS[WRITER_TAG]
    kinds = [kind for kind, _, _ in events]
    for kind in ("PIPELINE_ENQUEUED", "PIPELINE_STARTING", "PIPELINE_START", "PIPELINE_SUCCESS"):
        assert kind in kinds, (kind, sorted({k for k in kinds if k}))
    written = {tuple(json.loads(key)) for kind, key, _ in events if kind == "ASSET_MATERIALIZATION"}
    assert {("bronze", "orders"), ("silver", "orders"), ("gold", "fact_sales"), ("audit", "ingested_files")} <= written

    # The instance made its tables as the role of DAGSTER_PG_USER, in DAGSTER_PG_DB.
    owners = dict(sql(server, "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"))
    assert {owners.get(t) for t in ("runs", "event_logs", "jobs", "job_ticks")} == {PG["DAGSTER_PG_USER"]}, owners
    ticks = sql(server, "SELECT status, tick_body FROM job_ticks WHERE type = 'SENSOR'")
    assert any(status == "SUCCESS" and run_id in body for status, body in ticks), [t[0] for t in ticks]
    daemons = {row[0] for row in sql(server, "SELECT daemon_type FROM daemon_heartbeats")}
    assert {"SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR", "MONITORING"} <= daemons, daemons
    assert not list((root / "dagster_home").rglob("*.db")), "a SQLite storage was created beside PostgreSQL"
