"""A real Spark standalone cluster per test module (a master and two one-core workers on
127.0.0.1), and a real OpenLineage receiver: an HTTP server that keeps what is POSTed."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lakehouse_assets.resources.cluster import ClusterError, LocalSparkCluster


@pytest.fixture(scope="module")
def cluster():
    """Started once for the module, stopped (no process left) and removed after it."""
    folder = Path(tempfile.mkdtemp(prefix="spark-cluster-"))
    cluster = LocalSparkCluster(folder, workers=2)
    try:
        cluster.start()
    except ClusterError as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"the Spark standalone cluster did not start: {error}")
    try:
        yield cluster
    finally:
        cluster.stop()
        assert not cluster.processes(), "processes of the cluster outlived stop()"
        shutil.rmtree(folder, ignore_errors=True)


class LineageReceiver:
    """`POST /api/v1/lineage` bodies (OpenLineage run events) kept in `events`, on a free port."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.paths: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.paths.add(self.path)
                receiver.events.append(json.loads(body))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LineageReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
