"""A local Kafka broker as a plain process: `make stack` and the events tests start one.

Apache Kafka's own jars (`make install` copies them into .cache/kafka-jars from
config/jvm/kafka-pom.xml) run one KRaft node that is both broker and controller, on
127.0.0.1 only. Its folder holds everything (server.properties, the log dirs, the
server log, the pid file), so a broker is removed with its folder. The storage is
formatted once; later starts of the same folder keep the topics. Stop it by its PID.
"""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from lakehouse_assets.resources.local_process import LocalProcess, free_port
from lakehouse_assets.settings import PROJECT_ROOT

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
BIND_ATTEMPTS = 3
BOOTSTRAP_VAR = "LAKEHOUSE_KAFKA_BOOTSTRAP"
INSTALL_HINT = ("the Kafka broker's jars are missing: run `make install` (Maven copies "
                "org.apache.kafka:kafka_2.13 and its dependencies from config/jvm/kafka-pom.xml "
                "into .cache/kafka-jars), and Java 17+ must be on PATH")
JVM_OPTIONS = ("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")
LOG_CONFIG = """\
log4j.rootLogger=WARN, stdout
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
"""


class BrokerError(RuntimeError):
    """The broker's jars are missing, or it did not start or stop; the message says why."""


def kafka_jar_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_KAFKA_JAR_DIR", PROJECT_ROOT / ".cache" / "kafka-jars"))


def server_properties(logs: Path, port: int, controller_port: int) -> str:
    """One KRaft node, broker and controller, with the internal topics at replication 1."""
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={logs}",
        "num.partitions=1",
        # A local broker keeps every message: replayed and re-sent events are the point of it.
        "log.retention.ms=-1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "",
    ])


@dataclass
class LocalKafka:
    """One Kafka node on 127.0.0.1:`port` with its data in `folder`."""

    folder: Path
    port: int = 0  # 0: free ports, chosen at the first start and kept for restarts
    controller_port: int = 0

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).resolve()
        ports = self.folder / "ports"
        if ports.exists() and not self.port:  # kept from an earlier start, so `env()` of a running broker is right
            self.port, self.controller_port = (int(p) for p in ports.read_text().split())
        self._broker = LocalProcess("the Kafka broker", pid_file=self.pid_file, log=self.folder / "server.log",
                                    error=BrokerError)

    @property
    def bootstrap(self) -> str:
        """The LAKEHOUSE_KAFKA_BOOTSTRAP of this broker."""
        return f"127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The variable that points the lakehouse at this broker."""
        return {BOOTSTRAP_VAR: self.bootstrap}

    @property
    def pid_file(self) -> Path:
        return self.folder / "kafka.pid"

    @property
    def properties(self) -> Path:
        return self.folder / "server.properties"

    def pid(self) -> int | None:
        """The running broker's PID, or None."""
        return self._broker.pid()

    def _java(self, main: str, *args: str, jvm: tuple[str, ...] = ()) -> list[str]:
        jars = kafka_jar_dir()
        if not any(jars.glob("kafka_2.13-*.jar")):
            raise BrokerError(f"{INSTALL_HINT} (looked in {jars})")
        return ["java", *jvm, f"-Dlog4j.configuration=file:{self.folder / 'log4j.properties'}",
                "-cp", f"{jars}/*", main, *args]

    def _configure(self) -> None:
        """Write the configuration (ports kept from an earlier start) and format the storage once."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ports = self.folder / "ports"
        if ports.exists() and not self.port:
            self.port, self.controller_port = (int(p) for p in ports.read_text().split())
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        ports.write_text(f"{self.port} {self.controller_port}\n")
        (self.folder / "log4j.properties").write_text(LOG_CONFIG)
        logs = self.folder / "logs"
        self.properties.write_text(server_properties(logs, self.port, self.controller_port))
        if (logs / "meta.properties").exists():
            return
        # `=`: a random id may start with "-", which the tool's parser would take for an option.
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        done = subprocess.run(self._java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                                         f"--config={self.properties}", jvm=("-Xmx256m",)),
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BrokerError(f"formatting the Kafka storage failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> LocalKafka:
        """Start the broker (formatting its storage first) and wait until its port opens. Ports
        chosen here are chosen again when another process took one before the broker bound it."""
        if self.pid() is not None:
            raise BrokerError(f"a broker already runs on {self.folder} (pid {self.pid()})")
        chosen = not self.port and not (self.folder / "ports").exists()
        for attempt in range(1, BIND_ATTEMPTS + 1):
            self._configure()
            try:
                return self._launch()
            except BrokerError:
                if not (chosen and attempt < BIND_ATTEMPTS and self._lost_a_port()):
                    raise
                self.port = self.controller_port = 0
                (self.folder / "ports").unlink()
        raise AssertionError("unreachable")

    def _lost_a_port(self) -> bool:
        return "Address already in use" in (self.folder / "server.log").read_text(errors="replace")[-20_000:]

    def _launch(self) -> LocalKafka:
        (self.folder / "server.log").unlink(missing_ok=True)
        self._broker.start(self._java("kafka.Kafka", str(self.properties), jvm=JVM_OPTIONS), write_pid_file=True)
        try:
            self._broker.wait_for_port(self.port, timeout=START_TIMEOUT_S)
        except BrokerError:
            self.kill()  # when it still runs
            self.pid_file.unlink(missing_ok=True)
            raise
        return self

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM) and wait for the process to end."""
        self._broker.stop(STOP_TIMEOUT_S)

    def kill(self) -> None:
        """End the broker at once (SIGKILL)."""
        self._broker.kill(STOP_TIMEOUT_S)
