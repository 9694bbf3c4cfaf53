"""The master-data pools: stores, sales team, customers and products as of day 1.

Each pool is an `EntityTable`: one row per entity, values as landing text in the
source's column order (None = missing). The pools depend only on the seed, the
start date and the pool sizes, so every day sees the same entities; `changes.py`
then evolves them day by day, and `orders.py` draws its references from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from lakehouse_assets.generate import names
from lakehouse_assets.generate.common import COUNTRIES, fmt_cents, fmt_date, rng_for
from lakehouse_assets.sources import CUSTOMERS, PRODUCTS, SALES_TEAM, STORES, Source

# Twenty stores: how many in each country (the store's currency follows its country).
STORE_COUNTRIES = (
    ("USA", 4), ("UK", 3), ("Germany", 3), ("France", 2),
    ("India", 2), ("Japan", 2), ("Canada", 2), ("Australia", 2),
)
CUSTOMER_COUNTRY_WEIGHTS = (0.30, 0.12, 0.12, 0.10, 0.12, 0.08, 0.08, 0.08)


@dataclass
class EntityTable:
    """The current state of every entity of one master source, as landing rows."""

    source: Source
    rows: list[list[str | None]]
    index: dict[str, int] = field(default_factory=dict)

    def col(self, name: str) -> int:
        return self.source.columns.index(name)


@dataclass
class MasterPools:
    """All master entities plus the numeric facts the orders generator needs."""

    stores: EntityTable
    sales_team: EntityTable
    customers: EntityTable
    products: EntityTable
    store_currency: tuple[str, ...]
    store_weight: np.ndarray          # relative store size, sums to 1
    team_of_store: tuple[np.ndarray, ...]  # sales-team row indices per store
    product_list_cents: np.ndarray    # base list price (USD cents) per product

    def table(self, source: str) -> EntityTable:
        return getattr(self, source)


def pool_sizes(rows_per_day: int) -> tuple[int, int]:
    """(customers, products): grow with the square root of the daily order lines."""
    root = math.sqrt(max(rows_per_day, 1))
    return min(max(int(20 * root), 100), 1_000_000), min(max(int(3 * root), 50), 200_000)


def _base_dates(rng: np.random.Generator, start: date, n: int, oldest: int) -> tuple[list[str], list[str]]:
    """(since-date, updated_at) per entity: both before `start`, updated_at >= since."""
    back = rng.integers(30, oldest, size=n)
    upd_back = rng.integers(7, 30, size=n)
    secs = rng.integers(0, 86_400, size=n)
    since = [fmt_date(start - timedelta(days=int(b))) for b in back]
    updated = [f"{fmt_date(start - timedelta(days=int(u)))} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
               for u, s in zip(upd_back, secs)]
    return since, updated


def build_stores(seed: int, start: date) -> tuple[EntityTable, tuple[str, ...], np.ndarray]:
    """The fixed store pool, with each store's currency and relative size."""
    rng = rng_for(seed, "pool", "stores")
    countries = [c for c, k in STORE_COUNTRIES for _ in range(k)]
    opened, updated = _base_dates(rng, start, len(countries), 4000)
    rows = []
    for i, country in enumerate(countries):
        city, state = COUNTRIES[country][1][int(rng.integers(0, len(COUNTRIES[country][1])))]
        name = f"{city} {names.pick(rng, names.STORE_SUFFIXES)}"
        if i % 9 == 4:  # a nickname in double quotes, to exercise CSV quote escaping
            name += ' "Flagship"'
        first, last = names.person_name(rng)
        rows.append([f"S{i + 1:03d}", name, names.street_address(rng), city, state or None,
                     country, f"{first} {last}", opened[i], updated[i]])
    weight = rng.lognormal(0.0, 0.5, size=len(rows))
    currency = tuple(COUNTRIES[c][0] for c in countries)
    return _table(STORES, rows), currency, weight / weight.sum()


def build_sales_team(seed: int, start: date, stores: EntityTable) -> tuple[EntityTable, tuple[np.ndarray, ...]]:
    """3-6 people per store: a lead reporting to the country head, staff to the lead."""
    rng = rng_for(seed, "pool", "sales_team")
    rows: list[list[str | None]] = []
    team: list[np.ndarray] = []
    country_head: dict[str, str] = {}
    for store in stores.rows:
        size = int(rng.integers(3, 7))
        hired, updated = _base_dates(rng, start, size, 3000)
        members = []
        lead_id = f"E{len(rows) + 1:04d}"
        for k in range(size):
            person_id = f"E{len(rows) + 1:04d}"
            if k == 0:
                manager = country_head.setdefault(str(store[5]), person_id)
                manager = None if manager == person_id else manager
            else:
                manager = lead_id
            first, last = names.person_name(rng)
            members.append(len(rows))
            rows.append([person_id, f"{first} {last}", manager, store[0], hired[k], updated[k]])
        team.append(np.array(members, dtype=np.int64))
    return _table(SALES_TEAM, rows), tuple(team)


def build_customers(seed: int, start: date, n: int) -> EntityTable:
    """`n` customers across the store countries; some phones, e-mails and states missing."""
    rng = rng_for(seed, "pool", "customers")
    country_names = list(COUNTRIES)
    country_idx = rng.choice(len(country_names), size=n, p=CUSTOMER_COUNTRY_WEIGHTS)
    first = rng.integers(0, len(names.FIRST_NAMES), size=n)
    last = rng.integers(0, len(names.LAST_NAMES), size=n)
    gaps = rng.random(size=(n, 2))
    joined, updated = _base_dates(rng, start, n, 2500)
    rows = []
    for i in range(n):
        country = country_names[country_idx[i]]
        cities = COUNTRIES[country][1]
        city, state = cities[int(rng.integers(0, len(cities)))]
        fn, ln = names.FIRST_NAMES[first[i]], names.LAST_NAMES[last[i]]
        email = f"{names.ascii_slug(fn)}.{names.ascii_slug(ln)}{i + 1}@{names.pick(rng, names.EMAIL_DOMAINS)}"
        rows.append([
            f"C{i + 1:07d}", fn, ln, email if gaps[i, 0] > 0.05 else None,
            names.phone_number(rng, country) if gaps[i, 1] > 0.1 else None,
            names.street_address(rng), city, state or None, country, joined[i], updated[i],
        ])
    return _table(CUSTOMERS, rows)


def build_products(seed: int, start: date, n: int) -> tuple[EntityTable, np.ndarray]:
    """`n` products in the categories of `names.CATEGORIES`; cost always below list price."""
    rng = rng_for(seed, "pool", "products")
    categories = list(names.CATEGORIES)
    cat_idx = rng.integers(0, len(categories), size=n)
    medians = np.array([names.CATEGORIES[c][1] for c in categories])[cat_idx]
    list_cents = np.maximum(np.round(medians * rng.lognormal(0.0, 0.5, size=n)) * 100 - 1, 99).astype(np.int64)
    cost_cents = np.minimum((list_cents * rng.uniform(0.35, 0.8, size=n)).astype(np.int64), list_cents - 1)
    _, updated = _base_dates(rng, start, n, 1000)
    rows = []
    for i in range(n):
        category = categories[cat_idx[i]]
        noun = names.pick(rng, names.CATEGORIES[category][0])
        label = f"{names.pick(rng, names.ADJECTIVES)} {noun} {chr(65 + i % 26)}{int(rng.integers(1, 99))}"
        rows.append([f"P{i + 1:06d}", label, category, fmt_cents(cost_cents[i]),
                     fmt_cents(list_cents[i]), updated[i]])
    return _table(PRODUCTS, rows), list_cents


def build_pools(seed: int, start: date, rows_per_day: int) -> MasterPools:
    """Every master pool for a run that starts on `start`."""
    n_customers, n_products = pool_sizes(rows_per_day)
    stores, currency, weight = build_stores(seed, start)
    team, team_of_store = build_sales_team(seed, start, stores)
    products, list_cents = build_products(seed, start, n_products)
    return MasterPools(
        stores=stores, sales_team=team, customers=build_customers(seed, start, n_customers),
        products=products, store_currency=currency, store_weight=weight,
        team_of_store=team_of_store, product_list_cents=list_cents,
    )


def _table(source: Source, rows: list[list[str | None]]) -> EntityTable:
    return EntityTable(source, rows, {str(r[0]): i for i, r in enumerate(rows)})

