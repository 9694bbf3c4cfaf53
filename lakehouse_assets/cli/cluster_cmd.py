"""`lakehouse cluster start|stop`: a Spark standalone cluster on this machine (`make cluster`,
docs/operations.md). `start` prints the master URL to export as LAKEHOUSE_SPARK_MASTER."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lakehouse_assets.cli.servers import start_server, stop_server
from lakehouse_assets.resources.cluster import ClusterError, LocalSparkCluster

DEFAULT_FOLDER = ".cache/spark-cluster"


def _cluster(args: argparse.Namespace) -> LocalSparkCluster:
    return LocalSparkCluster(Path(args.folder), workers=args.workers, worker_memory=args.worker_memory,
                             port=args.port, webui_port=args.webui_port)


def _running(cluster: LocalSparkCluster) -> str | None:
    return ", ".join(cluster.running()) or None


def _start(args: argparse.Namespace) -> int:
    cluster = _cluster(args)
    return start_server("cluster", cluster, "Spark cluster", cluster.folder, running=lambda: _running(cluster),
                        errors=(ClusterError,),
                        started=lambda: f"Spark master {cluster.master_url} with {cluster.workers} worker(s) of "
                                        f"{cluster.worker_cores} core, {cluster.worker_memory} (web UI "
                                        f"http://127.0.0.1:{cluster.webui_port}, logs in {cluster.folder})")


def _stop(args: argparse.Namespace) -> int:
    cluster = LocalSparkCluster(Path(args.folder))
    return stop_server(cluster, "Spark cluster", cluster.folder, running=lambda: _running(cluster))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cluster", help="a Spark standalone cluster on this machine (docs/operations.md)")
    commands = parser.add_subparsers(dest="cluster_command", required=True)
    start = commands.add_parser("start", help="start a master and workers on 127.0.0.1")
    start.add_argument("--workers", type=int, default=2, help="workers of one core each (default 2)")
    start.add_argument("--worker-memory", default="1g", help="memory a worker offers its executors (default 1g)")
    start.add_argument("--port", type=int, default=0, help="the master's port (0: a free one)")
    start.add_argument("--webui-port", type=int, default=0, help="the master's web UI port (0: a free one)")
    start.set_defaults(func=_start)
    stop = commands.add_parser("stop", help="stop the master and workers")
    stop.set_defaults(func=_stop)
    for command in (start, stop):
        command.add_argument("--folder", default=os.environ.get("LAKEHOUSE_CLUSTER_FOLDER", DEFAULT_FOLDER),
                             help=f"logs, work folders and state (default {DEFAULT_FOLDER})")
