"""The landing sources of SPEC §2 and their validation contract of SPEC §3.

One `Source` per landing folder: its columns in landing order, which of them are
required, the type each must parse as, the key that identifies a duplicate and
the extra range / partition rules. Everything that validates, generates or
documents a source reads it from here, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ColumnType(str, Enum):
    """How a landed text value must parse (SPEC §3 `bad_type`)."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"
    CURRENCY = "currency"  # three upper-case letters


@dataclass(frozen=True)
class Source:
    """One landing source: `{landing_root}/{name}/date=YYYY-MM-DD/{file}`."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    types: dict[str, ColumnType] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    # Column whose date must equal the folder date (`wrong_partition`), if any.
    partition_column: str | None = None
    # Column checked against the configured currency list (`unknown_currency`).
    currency_column: str | None = None
    is_master_data: bool = False
    # Personal data: masked on the way into silver by the strategy in config/masking.yaml.
    pii: tuple[str, ...] = ()

    def type_of(self, column: str) -> ColumnType:
        return self.types.get(column, ColumnType.STRING)


ORDERS = Source(
    name="orders",
    columns=(
        "order_id", "line_number", "order_ts", "customer_id", "store_id",
        "sales_person_id", "product_id", "quantity", "unit_price",
        "discount_amount", "currency", "payment_method",
    ),
    required=(
        "order_id", "line_number", "order_ts", "customer_id", "store_id",
        "sales_person_id", "product_id", "quantity", "unit_price", "currency",
    ),
    types={
        "line_number": ColumnType.INTEGER,
        "order_ts": ColumnType.TIMESTAMP,
        "quantity": ColumnType.INTEGER,
        "unit_price": ColumnType.DECIMAL,
        "discount_amount": ColumnType.DECIMAL,
        "currency": ColumnType.CURRENCY,
    },
    key=("order_id", "line_number"),
    partition_column="order_ts",
    currency_column="currency",
)

CUSTOMERS = Source(
    name="customers",
    columns=(
        "customer_id", "first_name", "last_name", "email", "phone", "address",
        "city", "state", "country", "joined_on", "updated_at",
    ),
    required=("customer_id", "updated_at"),
    types={"joined_on": ColumnType.DATE, "updated_at": ColumnType.TIMESTAMP},
    key=("customer_id", "updated_at"),
    is_master_data=True,
    pii=("first_name", "last_name", "email", "phone", "address"),
)

PRODUCTS = Source(
    name="products",
    columns=("product_id", "product_name", "category", "unit_cost_usd", "list_price_usd", "updated_at"),
    required=("product_id", "category", "unit_cost_usd", "list_price_usd", "updated_at"),
    types={
        "unit_cost_usd": ColumnType.DECIMAL,
        "list_price_usd": ColumnType.DECIMAL,
        "updated_at": ColumnType.TIMESTAMP,
    },
    key=("product_id", "updated_at"),
    is_master_data=True,
)

STORES = Source(
    name="stores",
    columns=(
        "store_id", "store_name", "address", "city", "state", "country",
        "manager_name", "opened_on", "updated_at",
    ),
    required=("store_id", "updated_at"),
    types={"opened_on": ColumnType.DATE, "updated_at": ColumnType.TIMESTAMP},
    key=("store_id", "updated_at"),
    is_master_data=True,
)

SALES_TEAM = Source(
    name="sales_team",
    columns=("sales_person_id", "full_name", "manager_id", "store_id", "hired_on", "updated_at"),
    required=("sales_person_id", "store_id", "updated_at"),
    types={"hired_on": ColumnType.DATE, "updated_at": ColumnType.TIMESTAMP},
    key=("sales_person_id", "updated_at"),
    is_master_data=True,
)

FX_RATES = Source(
    name="fx_rates",
    columns=("rate_date", "currency", "usd_per_unit"),
    required=("rate_date", "currency", "usd_per_unit"),
    types={
        "rate_date": ColumnType.DATE,
        "currency": ColumnType.CURRENCY,
        "usd_per_unit": ColumnType.DECIMAL,
    },
    key=("rate_date", "currency"),
    partition_column="rate_date",
    currency_column="currency",
)

SOURCES: dict[str, Source] = {
    s.name: s for s in (ORDERS, CUSTOMERS, PRODUCTS, STORES, SALES_TEAM, FX_RATES)
}

DEFAULT_CURRENCIES = ("USD", "EUR", "GBP", "INR", "JPY", "CAD", "AUD")

# The crm source (SPEC §7): tables of the CRM's PostgreSQL database, read over JDBC. Bronze
# keeps their values as text, so the rules of SPEC §3 read them like landed lines. Not in
# SOURCES: no landing folder feeds them.
LIFECYCLE_STAGES = ("lead", "prospect", "customer", "churned")
DEAL_STAGES = ("open", "won", "lost")

CRM_CONTACTS = Source(
    name="crm_contacts",
    columns=(
        "contact_id", "customer_id", "first_name", "last_name", "email", "phone", "lifecycle_stage",
        "owner_sales_person_id", "created_at", "updated_at", "is_deleted",
    ),
    required=("contact_id", "lifecycle_stage", "created_at", "updated_at", "is_deleted"),
    types={"created_at": ColumnType.TIMESTAMP, "updated_at": ColumnType.TIMESTAMP},
    key=("contact_id", "updated_at"),
    is_master_data=True,
    pii=("first_name", "last_name", "email", "phone"),
)

CRM_DEALS = Source(
    name="crm_deals",
    columns=(
        "deal_id", "contact_id", "store_id", "stage", "amount", "currency", "expected_close_date",
        "created_at", "updated_at", "is_deleted",
    ),
    required=("deal_id", "contact_id", "store_id", "stage", "created_at", "updated_at", "is_deleted"),
    types={
        "amount": ColumnType.DECIMAL,
        "currency": ColumnType.CURRENCY,
        "expected_close_date": ColumnType.DATE,
        "created_at": ColumnType.TIMESTAMP,
        "updated_at": ColumnType.TIMESTAMP,
    },
    key=("deal_id", "updated_at"),
    currency_column="currency",
)

# bronze/silver table name -> (the CRM table it is read from, the source contract).
CRM_SOURCES: dict[str, Source] = {s.name: s for s in (CRM_CONTACTS, CRM_DEALS)}
CRM_TABLES = {"crm_contacts": "crm.contacts", "crm_deals": "crm.deals"}

# File extensions the landing zone accepts, longest first so `.csv.gz` wins over `.gz`.
LANDING_FORMATS = {".csv.gz": "csv", ".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


def format_of(path: str) -> str | None:
    """The landing format of a file name, or None when the extension is not one we read."""
    lower = path.lower()
    for ext, fmt in LANDING_FORMATS.items():
        if lower.endswith(ext):
            return fmt
    return None
