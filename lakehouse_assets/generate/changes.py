"""Daily master-data extracts: a full snapshot on day 1, change extracts after.

A change extract holds (a) a small share of entities whose tracked attributes
changed that day (`updated_at` on that day), (b) identical re-sent records (the
entity's last delivered record, same `updated_at`, same values) and (c) now and
then a late change whose `updated_at` lies a few days back. Changes accumulate in
the pools, so an entity never silently reverts; that is why master days are
produced in order, while the (large) orders files are independent per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from lakehouse_assets.generate import names
from lakehouse_assets.generate.common import COUNTRIES, fmt_cents, random_time, rng_for, to_cents
from lakehouse_assets.generate.master import EntityTable, MasterPools

MASTER_SOURCES = ("customers", "products", "stores", "sales_team")
CHANGE_SHARE = {"customers": 0.004, "products": 0.01, "stores": 0.05, "sales_team": 0.02}
RESEND_SHARE = {"customers": 0.002, "products": 0.005, "stores": 0.03, "sales_team": 0.01}
LATE_CHANGE_PROBABILITY = 0.3  # per source and day: one entity gets a late change

Row = list  # list[str | None], in the source's column order
Mutator = Callable[[EntityTable, Row, np.random.Generator, MasterPools], None]


@dataclass
class Extract:
    """The records of one master file for one day, plus what they contain."""

    rows: list[Row]
    full: bool
    events: dict[str, int] = field(default_factory=dict)


def _set(table: EntityTable, row: Row, column: str, value: str | None) -> None:
    row[table.col(column)] = value


def _customer(table: EntityTable, row: Row, rng: np.random.Generator, pools: MasterPools) -> None:
    """A customer moves, changes e-mail or phone, or changes last name."""
    what = int(rng.integers(0, 4))
    country = str(row[table.col("country")])
    if what == 0:
        city, state = COUNTRIES[country][1][int(rng.integers(0, len(COUNTRIES[country][1])))]
        _set(table, row, "address", names.street_address(rng))
        _set(table, row, "city", city)
        _set(table, row, "state", state or None)
    elif what == 1:
        user = f"{names.ascii_slug(str(row[1]))}.{names.ascii_slug(str(row[2]))}{int(rng.integers(1, 10**6))}"
        _set(table, row, "email", f"{user}@{names.pick(rng, names.EMAIL_DOMAINS)}")
    elif what == 2:
        _set(table, row, "phone", names.phone_number(rng, country))
    else:
        _set(table, row, "last_name", names.pick(rng, names.LAST_NAMES))


def _product(table: EntityTable, row: Row, rng: np.random.Generator, pools: MasterPools) -> None:
    """A product is re-priced (cost stays below list price), renamed or re-categorised."""
    what = rng.random()
    if what < 0.7:
        list_cents = max(
            int(to_cents(str(row[table.col("list_price_usd")])) * rng.uniform(0.85, 1.2)) // 100 * 100 + 99, 99)
        cost_cents = min(int(to_cents(str(row[table.col("unit_cost_usd")])) * rng.uniform(0.95, 1.1)), list_cents - 1)
        _set(table, row, "list_price_usd", fmt_cents(list_cents))
        _set(table, row, "unit_cost_usd", fmt_cents(cost_cents))
    elif what < 0.9:
        old = str(row[table.col("product_name")])
        _set(table, row, "product_name", f"{names.pick(rng, names.ADJECTIVES)} {old.split(' ', 1)[1]}")
    else:
        _set(table, row, "category", names.pick(rng, tuple(names.CATEGORIES)))


def _store(table: EntityTable, row: Row, rng: np.random.Generator, pools: MasterPools) -> None:
    """A store gets a new manager, moves within its city, or is renamed."""
    what = int(rng.integers(0, 3))
    if what == 0:
        _set(table, row, "manager_name", " ".join(names.person_name(rng)))
    elif what == 1:
        _set(table, row, "address", names.street_address(rng))
    else:
        _set(table, row, "store_name", f"{row[table.col('city')]} {names.pick(rng, names.STORE_SUFFIXES)}")


def _sales_person(table: EntityTable, row: Row, rng: np.random.Generator, pools: MasterPools) -> None:
    """A sales person transfers to another store (reporting to its lead) or changes name."""
    if rng.random() < 0.6:
        store = int(rng.integers(0, len(pools.team_of_store)))
        lead = pools.sales_team.rows[int(pools.team_of_store[store][0])]
        _set(table, row, "store_id", pools.stores.rows[store][0])
        _set(table, row, "manager_id", None if lead[0] == row[0] else lead[0])
    else:
        first = str(row[table.col("full_name")]).split(" ")[0]
        _set(table, row, "full_name", f"{first} {names.pick(rng, names.LAST_NAMES)}")


MUTATORS: dict[str, Mutator] = {
    "customers": _customer, "products": _product, "stores": _store, "sales_team": _sales_person,
}


def change_entity(table: EntityTable, row: Row, rng: np.random.Generator, pools: MasterPools) -> None:
    """Change at least one tracked attribute of `row` in place (retry until one differs)."""
    before = list(row)
    for _ in range(10):
        MUTATORS[table.source.name](table, row, rng, pools)
        if row != before:
            return
    _set(table, row, table.source.columns[1], f"{row[1]} II")  # a rename always differs


def daily_extract(pools: MasterPools, source: str, seed: int, day: date, first_day: bool) -> Extract:
    """The records of `source` for `day`; applies that day's changes to the pools."""
    table = pools.table(source)
    if first_day:
        return Extract([list(r) for r in table.rows], True, {"snapshot": len(table.rows)})
    rng = rng_for(seed, source, day, "changes")
    n = len(table.rows)
    n_change = int(rng.binomial(n, CHANGE_SHARE[source]))
    n_resend = int(rng.binomial(n, RESEND_SHARE[source]))
    n_late = int(rng.random() < LATE_CHANGE_PROBABILITY)
    picks = rng.choice(n, size=min(n, n_change + n_resend + n_late), replace=False)
    upd = table.col("updated_at")
    out: dict[int, Row] = {}
    events = {"changed": 0, "resent": 0, "late_change": 0}
    for pos, i in enumerate(int(p) for p in picks):
        row = table.rows[i]
        if pos < n_change:
            change_entity(table, row, rng, pools)
            row[upd] = random_time(rng, day)
            events["changed"] += 1
        elif pos >= n_change + n_resend:
            late_ts = random_time(rng, day - timedelta(days=int(rng.integers(1, 4))))
            if str(row[upd]) >= late_ts:
                continue  # it already has a newer record: a late change would be out of order
            change_entity(table, row, rng, pools)
            row[upd] = late_ts
            events["late_change"] += 1
        else:
            events["resent"] += 1
        out[i] = list(row)
    return Extract([out[i] for i in sorted(out)], False, events)
