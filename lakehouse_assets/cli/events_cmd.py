"""`lakehouse kafka start|stop` (a local Kafka broker), the events runs of `lakehouse run` when
`LAKEHOUSE_KAFKA_BOOTSTRAP` is set, and `lakehouse generate --kafka-bootstrap` (docs/sources.md)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date

from lakehouse_assets.cli.servers import start_server, stop_server
from lakehouse_assets.events.broker import BrokerError, LocalKafka
from lakehouse_assets.resources.kafka import BOOTSTRAP_VAR, bootstrap_servers
from lakehouse_assets.run_plan import PlannedRun, events_runs

DEFAULT_FOLDER = ".cache/kafka"


def events_plan(start: date, end: date, echo: Callable[[str], None] = print) -> list[PlannedRun]:
    """The events runs of `lakehouse run`; none (said in one line) when the broker variable is unset."""
    if bootstrap_servers() is None:
        echo(f"{BOOTSTRAP_VAR} is not set: the events source (Kafka topic retail.events) is skipped")
        return []
    return events_runs(start, end)


def produce_days(bootstrap: str, start: date, days: int, rows_per_day: int, seed: int, defects: float,
                 echo: Callable[[str], None] = print) -> None:
    from lakehouse_assets.generate.events import event_messages, produce

    messages = event_messages(seed, start, days, rows_per_day, defects)
    sent = produce(bootstrap, messages)
    bad = sum(m.kind not in ("event", "resent") for m in messages)
    resent = sum(m.kind == "resent" for m in messages)
    echo(f"  events      messages {sent:,} to retail.events on {bootstrap} ({bad:,} malformed, {resent:,} re-sent)")


def _start(args: argparse.Namespace) -> int:
    broker = LocalKafka(args.folder, port=args.port)
    return start_server("kafka", broker, "Kafka", broker.folder, errors=(BrokerError,))


def _stop(args: argparse.Namespace) -> int:
    broker = LocalKafka(args.folder)
    return stop_server(broker, "Kafka", broker.folder)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("kafka", help="a local Kafka broker for the events source (docs/sources.md)")
    commands = parser.add_subparsers(dest="kafka_command", required=True)
    for name, func, text in (("start", _start, "start a broker on 127.0.0.1"), ("stop", _stop, "stop it")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--folder", default=os.environ.get("LAKEHOUSE_KAFKA_FOLDER", DEFAULT_FOLDER))
        command.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one, kept)")
        command.set_defaults(func=func)
