"""Register the lakehouse's tables: the graph's entries, rendered for the lakehouse root, sent to Glue."""

from __future__ import annotations

from collections.abc import Sequence

from lakehouse_assets.catalog.glue import GlueCatalog, Registration
from lakehouse_assets.catalog.graph import graph_tables
from lakehouse_assets.catalog.tables import CatalogTable, table_input


def register_lakehouse(lakehouse_root: str, database: str, tables: Sequence[CatalogTable] | None = None,
                       catalog: GlueCatalog | None = None) -> Registration:
    """Register `tables` (default: every table of the asset graph) under `lakehouse_root` in `database`."""
    tables = graph_tables() if tables is None else tables
    catalog = catalog or GlueCatalog(database)
    return catalog.register(table_input(t, lakehouse_root) for t in tables)
