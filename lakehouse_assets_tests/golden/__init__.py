"""A committed landing sample and the digest of every table the graph builds from it.

The sample (`landing/`, three days of generated data with every defect kind) is
frozen in the repository so that a change to the generator does not move it; the
files' modification times, which decide which copy of a re-delivered row wins, are
kept in `mtimes.json` and restored on every copy. `tables.json` holds, per table,
its row count and a SHA-256 of its sorted business columns (`Lakehouse.snapshot`).

A refactoring must leave every digest unchanged. A change that is meant to move a
table's rows regenerates the digests (`python -m lakehouse_assets_tests.golden`) and
says why in its commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANDING = HERE / "landing"
MTIMES = HERE / "mtimes.json"
DIGESTS = HERE / "tables.json"
START = date(2024, 1, 30)
DAYS = 3  # crosses a month end
ROWS_PER_DAY, SEED, DEFECTS = 400, 7, 0.1
# Tables whose business rows are compared; audit/dq_report (check outcomes and times) is not data.
TABLES = (
    "bronze/orders", "bronze/customers", "bronze/products", "bronze/stores", "bronze/sales_team",
    "bronze/fx_rates",
    "silver/orders", "silver/customers", "silver/products", "silver/stores", "silver/sales_team",
    "silver/fx_rates",
    "quarantine/orders", "quarantine/customers", "quarantine/products", "quarantine/stores",
    "quarantine/sales_team", "quarantine/fx_rates",
    "silver/dim_customer", "silver/dim_product", "silver/dim_store", "silver/dim_sales_person",
    "silver/dim_date", "gold/fact_sales", "gold/customer_monthly_sales", "gold/sales_team_monthly",
    "gold/category_monthly_revenue", "gold/customer_lifetime_value", "audit/ingested_files",
)
# Columns that say when or by which run a row was written, not what it holds.
VOLATILE = {"file_modified_at", "run_id", "ingested_at"}


def copy_landing(target: Path) -> Path:
    """The frozen sample at `target`, with its files' original modification times."""
    shutil.copytree(LANDING, target)
    for relative, mtime in json.loads(MTIMES.read_text()).items():
        os.utime(target / relative, (mtime, mtime))
    return target


def digest(rows: list[tuple], landing_root: Path) -> dict:
    """Row count and SHA-256 of `rows`, with the (temporary) landing root cut out of file paths."""
    prefix = str(landing_root)
    text = "\n".join(repr(row) for row in rows).replace(prefix, "<landing>")
    return {"rows": len(rows), "sha256": hashlib.sha256(text.encode()).hexdigest()}


def expected_digests() -> dict[str, dict]:
    return json.loads(DIGESTS.read_text())
