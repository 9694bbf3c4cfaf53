"""The CRM database of the crm source (SPEC §7): its schema and deterministic changes per day.

`crm_days(seed, start, days, defects)` gives, for each day, the rows the CRM commits that day
(inserts and updates of whole rows, soft deletes) and the *late* rows: updates whose
`updated_at` lies late in the day (23:15-23:45) but that commit only after the day has been
extracted, below the extraction's high-water mark (every day's last change is at 23:58).
An overlap of 60 minutes or more re-reads them. Late rows change deals no later day touches.
With `defects` > 0 some states carry what SPEC §3 quarantines: an unknown stage or lifecycle
stage (`out_of_range`), an unknown currency (`unknown_currency`), a lower-case one
(`bad_type`), a deal without its store (`missing_value`).

The same seed, start and days give the same rows; `fill` writes them all (each day, then
the previous day's late rows), `apply_rows` one batch, so a test can extract in between.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lakehouse_assets.sources import DEAL_STAGES, LIFECYCLE_STAGES

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS crm;
CREATE TABLE IF NOT EXISTS crm.contacts (
    contact_id text PRIMARY KEY, customer_id text, first_name text, last_name text, email text, phone text,
    lifecycle_stage text, owner_sales_person_id text, created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL, is_deleted boolean NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS crm.deals (
    deal_id text PRIMARY KEY, contact_id text, store_id text, stage text, amount numeric(14, 2), currency text,
    expected_close_date date, created_at timestamp NOT NULL, updated_at timestamp NOT NULL,
    is_deleted boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS contacts_updated_at ON crm.contacts (updated_at);
CREATE INDEX IF NOT EXISTS deals_updated_at ON crm.deals (updated_at);
"""
CONTACT_COLUMNS = ("contact_id", "customer_id", "first_name", "last_name", "email", "phone", "lifecycle_stage",
                   "owner_sales_person_id", "created_at", "updated_at", "is_deleted")
DEAL_COLUMNS = ("deal_id", "contact_id", "store_id", "stage", "amount", "currency", "expected_close_date",
                "created_at", "updated_at", "is_deleted")
COLUMNS = {"crm.contacts": CONTACT_COLUMNS, "crm.deals": DEAL_COLUMNS}
CURRENCIES = ("USD", "USD", "EUR", "GBP", "INR", "JPY", "CAD", "AUD")
FIRST_NAMES = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena")
LAST_NAMES = ("Alvarez", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Gupta", "Haddad", "Ito", "Jones")
NEW_CONTACTS, NEW_DEALS, CHANGES, DELETES, LATE = 12, 10, 10, 1, 2
LAST_CHANGE = timedelta(hours=23, minutes=58)
LATE_FROM, LATE_SPAN_S = timedelta(hours=23, minutes=15), 30 * 60


@dataclass
class CrmDay:
    day: date
    rows: list[tuple[str, dict]] = field(default_factory=list)  # (table, whole row), in commit order
    late: list[tuple[str, dict]] = field(default_factory=list)  # committed after the day's extraction


@dataclass
class _State:
    contacts: dict[str, dict] = field(default_factory=dict)
    deals: dict[str, dict] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)  # deals changed by a late row: never again


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(seconds=rng.randrange(0, 23 * 3600))


def _defect(rng: random.Random, rate: float, row: dict, table: str) -> dict:
    if rate <= 0 or rng.random() >= rate:
        return row
    if table == "crm.contacts":
        return {**row, "lifecycle_stage": "vip"}
    kind = rng.choice(("stage", "currency", "lower_currency", "store"))
    return {**row, **{"stage": {"stage": "negotiation"}, "currency": {"currency": "XYZ"},
                      "lower_currency": {"currency": str(row["currency"]).lower()},
                      "store": {"store_id": None}}[kind]}


def _new_contact(rng: random.Random, n: int, at: datetime) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    customer = f"C{rng.randrange(1, 2000):07d}" if rng.random() < 0.6 else None
    return {"contact_id": f"CT{n:06d}", "customer_id": customer, "first_name": first, "last_name": last,
            "email": f"{first.lower()}.{last.lower()}{n}@example.com",
            "phone": f"+1-555-{rng.randrange(0, 10_000):04d}", "lifecycle_stage": rng.choice(LIFECYCLE_STAGES[:2]),
            "owner_sales_person_id": f"E{rng.randrange(1, 40):04d}", "created_at": at, "updated_at": at,
            "is_deleted": False}


def _new_deal(rng: random.Random, n: int, contact_id: str, at: datetime) -> dict:
    amount = None if rng.random() < 0.1 else f"{rng.randrange(100, 500_000) / 100:.2f}"
    return {"deal_id": f"D{n:06d}", "contact_id": contact_id, "store_id": f"S{rng.randrange(1, 9):03d}",
            "stage": "open", "amount": amount, "currency": rng.choice(CURRENCIES),
            "expected_close_date": (at + timedelta(days=rng.randrange(7, 90))).date(), "created_at": at,
            "updated_at": at, "is_deleted": False}


def _change(rng: random.Random, state: _State, at: datetime) -> tuple[str, dict] | None:
    """A stage change of a deal or a contact that exists at `at`; None when there is none."""
    deals = sorted(d for d, r in state.deals.items() if d not in state.frozen and r["created_at"] < at)
    if deals and rng.random() < 0.6:
        deal = state.deals[rng.choice(deals)]
        stages = [s for s in DEAL_STAGES if s != deal["stage"]] if deal["stage"] != "open" else DEAL_STAGES[1:]
        return "crm.deals", {**deal, "stage": rng.choice(stages), "updated_at": at}
    contacts = sorted(c for c, r in state.contacts.items() if r["created_at"] < at)
    if not contacts:
        return None
    contact = state.contacts[rng.choice(contacts)]
    return "crm.contacts", {**contact, "lifecycle_stage": rng.choice(LIFECYCLE_STAGES), "updated_at": at}


def _day(rng: random.Random, state: _State, day: date, defects: float) -> CrmDay:
    out = CrmDay(day)
    events: list[tuple[datetime, str, dict]] = []
    for _ in range(NEW_CONTACTS):
        at = _moment(rng, day)
        contact = _new_contact(rng, len(state.contacts) + 1, at)
        state.contacts[contact["contact_id"]] = contact
        events.append((at, "crm.contacts", contact))
    for _ in range(NEW_DEALS):
        at = _moment(rng, day)
        deal = _new_deal(rng, len(state.deals) + 1, rng.choice(sorted(state.contacts)), at)
        state.deals[deal["deal_id"]] = deal
        events.append((at, "crm.deals", deal))
    last = datetime.combine(day, datetime.min.time()) + LAST_CHANGE
    changes = [(at, _change(rng, state, at)) for at in [*(_moment(rng, day) for _ in range(CHANGES)), last]]
    for _ in range(DELETES):
        at = _moment(rng, day)
        table = rng.choice(("crm.deals", "crm.contacts"))
        pool = state.deals if table == "crm.deals" else state.contacts
        ids = sorted(i for i, r in pool.items() if i not in state.frozen and r["created_at"] < at)
        changes.append((at, (table, {**pool[rng.choice(ids)], "is_deleted": True, "updated_at": at}) if ids else None))
    events += [(at, *change) for at, change in changes if change is not None]
    for at, table, row in sorted(events, key=lambda e: (e[0], e[1])):
        row = _defect(rng, defects, {**row, "updated_at": at}, table)
        (state.deals if table == "crm.deals" else state.contacts)[row[COLUMNS[table][0]]] = row
        out.rows.append((table, row))
    for _ in range(LATE):
        at = datetime.combine(day, datetime.min.time()) + LATE_FROM + timedelta(seconds=rng.randrange(LATE_SPAN_S))
        # A deal whose committed state is older than the late row: the late row is its newest state.
        open_deals = sorted(d for d, r in state.deals.items() if d not in state.frozen and r["stage"] == "open"
                            and not r["is_deleted"] and r["updated_at"] < at)
        if not open_deals:
            break
        deal_id = rng.choice(open_deals)
        row = {**state.deals[deal_id], "stage": rng.choice(DEAL_STAGES[1:]), "updated_at": at}
        state.deals[deal_id] = row
        state.frozen.add(deal_id)
        out.late.append(("crm.deals", row))
    return out


def crm_days(seed: int, start: date, days: int, defects: float = 0.0) -> list[CrmDay]:
    """Every day's CRM commits, a function of the arguments alone."""
    rng = random.Random(f"crm-{seed}-{start.isoformat()}")
    state = _State()
    return [_day(rng, state, start + timedelta(days=i), defects) for i in range(days)]


def create_schema(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA_SQL)
    connection.commit()


def apply_rows(connection, rows: Iterable[tuple[str, dict]]) -> int:
    """Upsert whole rows (by primary key) in one transaction; returns how many."""
    count = 0
    with connection.cursor() as cursor:
        for table, row in rows:
            columns = COLUMNS[table]
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
                           f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}", [row[c] for c in columns])
            count += 1
    connection.commit()
    return count


def fill(connection, days: Sequence[CrmDay]) -> dict[str, int]:
    """Create the schema and commit every day's rows, each day's late rows after it."""
    create_schema(connection)
    counts = {"rows": 0, "late": 0}
    for crm_day in days:
        counts["rows"] += apply_rows(connection, crm_day.rows)
        counts["late"] += apply_rows(connection, crm_day.late)
    return counts
