"""A step's tables written together: independent Delta commits on threads of their own.

A step that writes several tables (the ingest's silver and quarantine of every source,
the five dimensions, the monthly marts) used to write them one after another through
the IO manager's `handle_output`. On a small day each write is mostly the driver's work,
planning the query and reading and committing the table's Delta log, so one write at
a time left the other cores idle (docs/performance.md, "Tables written together").

`StepWrites` collects the outputs a step has decided to write, writes them with the IO
manager's own `write_table` on up to `spark.write_threads` threads, and then yields each
as an `Output` of `None` carrying its commit's metadata (the IO manager skips a `None`),
in the order they were added, followed by the check results the step deferred until its
tables were written. A table is written exactly as `handle_output` would write it, with
the same failure classification (`failures.py`).

Tables of a layer with Parquet `WRITE_SETTINGS` (bronze) are written one at a time
before the others: those settings are the session's, shared by every thread.
If a write fails, the tables that were written are still reported, the deferred check
results are not (they measured rows that are now only partly written), and the first
failure is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from dagster import AssetExecutionContext, AssetKey, Output
from pyspark.sql import DataFrame

from lakehouse_assets.failures import attempt_number, classified_failures
from lakehouse_assets.io_managers.delta_io_manager import DeltaIOManager, dates_of, write_table
from lakehouse_assets.io_managers.tables import WRITE_SETTINGS, layer_of


@dataclass
class _Write:
    output_name: str
    key: AssetKey
    frame: DataFrame
    metadata: dict
    definition: Mapping  # the output's definition metadata: how its table is written


@dataclass
class StepWrites:
    """The outputs of one step, written together by `flush`."""

    context: AssetExecutionContext
    _writes: list[_Write] = field(default_factory=list)
    _after: list = field(default_factory=list)

    def add(self, output_name: str, frame: DataFrame, metadata: Mapping | None = None) -> None:
        """Write `frame` as the step's output `output_name` (with `metadata` on its materialization)."""
        key = self.context.assets_def.keys_by_output_name[output_name]
        definition = self.context.assets_def.specs_by_key[key].metadata
        self._writes.append(_Write(output_name, key, frame, dict(metadata or {}), definition))

    def after(self, events: Iterable) -> None:
        """Yield `events` (check results) once the tables are written."""
        self._after.extend(events)

    def flush(self) -> Iterator:
        """Write every added output, then yield their `Output`s and the deferred events."""
        writes, after = self._writes, self._after
        self._writes, self._after = [], []
        if not writes:
            yield from after
            return
        io_manager: DeltaIOManager = self.context.resources.io_manager
        tables = io_manager.tables()  # in the step's thread: it sizes the session to the step
        partitioned = self.context.has_partition_key or self.context.has_partition_key_range
        window = dates_of(self.context.partition_time_window) if partitioned else None
        threads = io_manager.spark.settings.spark.write_threads
        alone = [w for w in writes if layer_of(w.key) in WRITE_SETTINGS]
        together = [w for w in writes if layer_of(w.key) not in WRITE_SETTINGS]
        if len(together) > 1 and threads > 1:
            self.context.log.info(f"writing {len(together)} tables, up to {threads} at a time: "
                                  + ", ".join(w.key.to_user_string() for w in together))

        def write(w: _Write) -> dict:
            what = f"writing {w.key.to_user_string()}"
            with classified_failures(what, io_manager.spark.settings.orchestration, attempt_number(self.context)):
                return write_table(tables, w.key, w.definition, w.frame, window)

        results: dict[str, Future] = {}
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="delta-write") as pool:
            for w in alone:
                results[w.output_name] = _run_now(write, w)
            for w in together:
                results[w.output_name] = pool.submit(write, w)
        failure: BaseException | None = None
        for w in writes:
            error = results[w.output_name].exception()
            if error is not None:
                failure = failure or error
                continue
            yield Output(None, output_name=w.output_name, metadata={**w.metadata, **results[w.output_name].result()})
        if failure is not None:
            raise failure
        yield from after


def _run_now(fn, *args) -> Future:
    """`fn(*args)` run in this thread, its result or exception held in a done future."""
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except Exception as error:  # noqa: BLE001 - reported with the other writes' failures
        done.set_exception(error)
    return done

