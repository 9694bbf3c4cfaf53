"""The catalog entries of every table of the asset graph, read from the asset definitions.

Each asset spec of kind `delta` is a table: it gives the table's key, its description
(the one the UI shows) and how the Delta IO manager writes it; the contracts give the
columns. Assets of other kinds (the MariaDB serving copies) are not lakehouse tables. Nothing here reads a table,
so the catalog can be registered before, after or without Spark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dagster import AssetsDefinition

from lakehouse_assets.catalog.tables import (
    CatalogTable,
    bronze_columns,
    catalog_table,
    crm_bronze_columns,
    events_bronze_columns,
    from_contract,
)
from lakehouse_assets.contracts import contract_for
from lakehouse_assets.sources import CRM_SOURCES, SOURCES

DELTA_KIND = "delta"


def physical_partition_keys(metadata: Mapping[str, Any], partitioned: bool) -> tuple[str, ...]:
    """The Delta partition columns the IO manager gives a table (io_managers/delta_io_manager.py):
    a partitioned asset replacing its window is partitioned by `partition_expr` unless
    `partition_by` is False; a MERGE (`upsert_groups`) or an overwrite creates it unpartitioned."""
    if not partitioned or metadata.get("write_mode") == "upsert_groups" or "partition_expr" not in metadata:
        return ()
    return (metadata["partition_expr"],) if metadata.get("partition_by", True) else ()


def bronze_table_columns(name: str) -> list:
    """Bronze tables have no contract: their columns follow from how each kind of source lands."""
    if name in SOURCES:
        return bronze_columns(SOURCES[name])
    if name in CRM_SOURCES:
        return crm_bronze_columns(CRM_SOURCES[name])
    if name == "events":
        return events_bronze_columns()
    raise KeyError(f"bronze/{name}: the catalog does not know its columns (catalog/graph.py)")


def graph_tables(assets: Iterable[AssetsDefinition] | None = None) -> list[CatalogTable]:
    """Every Delta table the assets write, in key order (default: the code location's assets)."""
    if assets is None:
        from lakehouse_assets.assets import ASSETS  # the graph, loaded only when asked for

        assets = ASSETS
    tables = []
    for asset in assets:
        partitioned = asset.partitions_def is not None
        for spec in asset.specs:
            if DELTA_KIND not in spec.kinds:
                continue
            layer, name = spec.key.path
            partitions = physical_partition_keys(spec.metadata or {}, partitioned)
            if layer == "bronze":
                tables.append(catalog_table((layer, name), spec.description or "", bronze_table_columns(name),
                                            partitions))
            else:
                tables.append(from_contract((layer, name), contract_for(spec.key), spec.description, partitions))
    return sorted(tables, key=lambda t: t.key)
