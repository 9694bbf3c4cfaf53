"""The silver dimensions of SPEC §4: what each one is built from, its keys and SCD type.

A catalogue, like `sources.py` for the landing sources: the assets loop over
`DIMENSIONS`, the contracts describe them and `transforms/dimensions.py` builds
their rows (`build_dimension`). `dim_date` is built from the order dates instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse_assets.columns import FINGERPRINT_COL, UPDATED_AT_COL
from lakehouse_assets.sources import SOURCES

SCD1 = 1
SCD2 = 2


@dataclass(frozen=True)
class Dimension:
    """One master-data dimension: its table, source, keys and SCD type.

    `tracked_cols` are the attributes whose change starts a new SCD2 version; an
    SCD1 dimension overwrites every attribute, so it tracks none.
    """

    table: str
    source: str
    id_col: str
    sk_col: str
    scd_type: int
    tracked_cols: tuple[str, ...] = ()
    # Columns silver adds to the source's (the PII fingerprint of masked sources).
    extra_cols: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns in landing order (SPEC §2), then `extra_cols`."""
        return SOURCES[self.source].columns + self.extra_cols


def _scd2(table: str, source: str, sk_col: str, untracked: tuple[str, ...] = ()) -> Dimension:
    """An SCD2 dimension tracking every source column but the id, updated_at and `untracked`.

    A source with PII also tracks `pii_fingerprint`: its masked columns may hide a
    change (a redacted address), the fingerprint of the raw values does not.
    """
    id_col = SOURCES[source].key[0]
    skipped = {id_col, UPDATED_AT_COL, *untracked}
    extra = (FINGERPRINT_COL,) if SOURCES[source].pii else ()
    tracked = tuple(c for c in SOURCES[source].columns if c not in skipped) + extra
    return Dimension(table, source, id_col, sk_col, SCD2, tracked, extra)


DIMENSIONS: dict[str, Dimension] = {
    d.table: d
    for d in (
        _scd2("dim_customer", "customers", "customer_sk", untracked=("joined_on",)),
        _scd2("dim_product", "products", "product_sk"),
        Dimension("dim_store", "stores", "store_id", "store_sk", SCD1),
        _scd2("dim_sales_person", "sales_team", "sales_person_sk", untracked=("hired_on",)),
    )
}
