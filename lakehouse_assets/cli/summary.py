"""The closing summary of `lakehouse run`: where the tables are, rows written, and
quarantined rows by reason, read from the runs' materialization metadata."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable


def materializations(results: Iterable) -> dict[str, dict]:
    """asset key -> rows written, path and metadata across these runs.

    A run over a partition range reports one materialization per partition, all
    carrying the same write's metadata, so each (run, asset) is counted once."""
    tables: dict[str, dict] = defaultdict(lambda: {"rows": 0, "path": None, "meta": {}})
    for result in results:
        per_run: dict[str, dict] = {}
        for event in result.get_asset_materialization_events():
            mat = event.event_specific_data.materialization
            per_run["/".join(mat.asset_key.path)] = {
                k: getattr(v, "value", v) for k, v in mat.metadata.items()
            }
        for key, meta in per_run.items():
            tables[key]["rows"] += int(meta.get("dagster/row_count", 0) or 0)
            # Delta tables report their path, the mart database's tables `database.table`.
            tables[key]["path"] = meta.get("path", meta.get("table", tables[key]["path"]))
            tables[key]["meta"].update(meta)
    return dict(tables)


def print_summary(results: Iterable, echo: Callable[[str], None] = print) -> None:
    tables = materializations(results)
    if not tables:
        echo("nothing was materialized")
        return
    width = max(len(k) for k in tables)
    echo("")
    echo(f"{'table'.ljust(width)}  {'rows written':>12}  path")
    for key in sorted(tables):
        echo(f"{key.ljust(width)}  {tables[key]['rows']:>12,}  {tables[key]['path']}")
    quarantined = {
        (key.split("/", 1)[1], name.split(".", 1)[1]): value
        for key, info in tables.items() if key.startswith("quarantine/")
        for name, value in info["meta"].items()
        if name.startswith("accounting/quarantine.") and value
    }
    echo("")
    if quarantined:
        echo("quarantined rows by source and reason:")
        for (source, reason), count in sorted(quarantined.items()):
            echo(f"  {source:<12} {reason:<18} {count:>10,}")
    else:
        echo("no rows were quarantined")
