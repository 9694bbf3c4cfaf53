"""The local cluster's command lines, state file and configuration, without starting a JVM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyspark

from lakehouse_assets.cli.main import main
from lakehouse_assets.resources.cluster import MASTER_CLASS, WORKER_CLASS, LocalSparkCluster
from lakehouse_assets.settings import load_settings

SPARK_CLASS = str(Path(pyspark.__file__).resolve().parent / "bin" / "spark-class")


def test_master_and_workers_run_from_the_pyspark_wheel_on_loopback(tmp_path):
    cluster = LocalSparkCluster(tmp_path, port=7078, webui_port=8090)
    assert cluster.master_command() == [SPARK_CLASS, MASTER_CLASS, "--host", "127.0.0.1", "--port", "7078",
                                        "--webui-port", "8090"]
    worker = cluster.worker_command(2, 41000)
    assert worker[:3] == [SPARK_CLASS, WORKER_CLASS, "spark://127.0.0.1:7078"]
    options = dict(zip(worker[3::2], worker[4::2]))
    assert options == {"--host": "127.0.0.1", "--port": "41000", "--webui-port": "0", "--cores": "1",
                       "--memory": "1g", "--work-dir": str(tmp_path.resolve() / "worker-2")}
    env = cluster.process_env()
    assert env["SPARK_HOME"] == str(Path(SPARK_CLASS).parents[1]) and env["SPARK_LOCAL_IP"] == "127.0.0.1"
    assert env["PYSPARK_PYTHON"] == sys.executable
    assert cluster.env() == {"LAKEHOUSE_SPARK_MASTER": "spark://127.0.0.1:7078"}


def test_another_process_finds_the_cluster_from_its_folder(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    started = LocalSparkCluster(tmp_path, port=7078, webui_port=8090)
    started._pids, started._worker_ports = {"master": gone.pid}, [41000]
    started._save_state()
    found = LocalSparkCluster(tmp_path)
    assert (found.master_url, found.json_url) == ("spark://127.0.0.1:7078", "http://127.0.0.1:8090/json/")
    assert found.running() == {}  # that pid runs no Spark process
    found.stop()
    assert not found.state_file.exists()


def test_stop_on_a_folder_without_a_cluster_says_so(tmp_path, capsys):
    assert main(["cluster", "stop", "--folder", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("no Spark cluster runs in")


def test_executors_of_the_local_cluster_config_fit_a_worker():
    settings = load_settings("local-cluster")
    worker = LocalSparkCluster(Path("unused"))
    assert settings.spark.master.startswith("spark://127.0.0.1:")
    assert int(settings.spark.conf["spark.executor.cores"]) <= worker.worker_cores
    memory_mb = {"m": 1, "g": 1024}
    size = settings.spark.conf["spark.executor.memory"]
    assert int(size[:-1]) * memory_mb[size[-1]] <= int(worker.worker_memory[:-1]) * memory_mb[worker.worker_memory[-1]]
