"""What each column means, written once and reused by every table that carries it.

Descriptions of the landing columns (SPEC §2), of the lineage columns bronze adds
and of the personal-data fingerprint. A contract takes its column descriptions
from here unless the table gives the column a meaning of its own.
"""

from __future__ import annotations

SOURCE_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "order_id": "Order identifier from the point-of-sale system.",
        "line_number": "Line of the order, from 1.",
        "order_ts": "When the order was placed (UTC).",
        "customer_id": "Customer who placed the order.",
        "store_id": "Store where the order was placed.",
        "sales_person_id": "Sales person credited with the order.",
        "product_id": "Product sold on the line.",
        "quantity": "Units sold on the line (at least 1).",
        "unit_price": "Price of one unit in the order currency.",
        "discount_amount": "Discount on the line in the order currency (0.00 when none landed).",
        "currency": "ISO 4217 code of the order currency (the store's).",
        "payment_method": "How the order was paid; null when not given.",
    },
    "customers": {
        "customer_id": "Customer identifier.",
        "first_name": "First name (personal data: masked in silver, see config/masking.yaml).",
        "last_name": "Last name (personal data: masked in silver).",
        "email": "E-mail address (personal data: masked in silver).",
        "phone": "Phone number (personal data: masked in silver).",
        "address": "Street address (personal data: masked in silver).",
        "city": "City.",
        "state": "State or region.",
        "country": "Country.",
        "joined_on": "Date the customer joined.",
        "updated_at": "When this state of the customer was recorded (UTC).",
    },
    "products": {
        "product_id": "Product identifier.",
        "product_name": "Product name.",
        "category": "Product category.",
        "unit_cost_usd": "Cost of one unit in USD.",
        "list_price_usd": "List price of one unit in USD.",
        "updated_at": "When this state of the product was recorded (UTC).",
    },
    "stores": {
        "store_id": "Store identifier.",
        "store_name": "Store name.",
        "address": "Street address.",
        "city": "City.",
        "state": "State or region.",
        "country": "Country.",
        "manager_name": "Store manager.",
        "opened_on": "Date the store opened.",
        "updated_at": "When this state of the store was recorded (UTC).",
    },
    "sales_team": {
        "sales_person_id": "Sales person identifier.",
        "full_name": "Full name.",
        "manager_id": "Sales person's manager (a sales_person_id).",
        "store_id": "Home store of the sales person.",
        "hired_on": "Date the sales person was hired.",
        "updated_at": "When this state of the sales person was recorded (UTC).",
    },
    "fx_rates": {
        "rate_date": "Business date of the rate.",
        "currency": "ISO 4217 code of the currency.",
        "usd_per_unit": "USD value of one unit of the currency.",
    },
}

LINEAGE: dict[str, str] = {
    "_raw_line": "The line as landed, when it did not split into the source's columns.",
    "_parse_error": "Why the line could not be split into the source's columns.",
    "_source_file": "Landing file the row was read from (local path or s3:// URI).",
    "_source_format": "Format of the landing file: csv, jsonl or parquet.",
    "_file_hash": "SHA-256 of the landing file's bytes.",
    "_file_size": "Size of the landing file in bytes.",
    "_file_modified_at": "Modification time of the landing file (its arrival order).",
    "_duplicate_of": "Earlier file with identical bytes, when this file is a re-delivery.",
    "_row_seq": "Position of the line in the read; orders copies of one key.",
    "_ingested_at": "When bronze read the file (UTC).",
    "_run_id": "Dagster run that ingested the row.",
    "_partition_date": "Business date of the landing folder (date=YYYY-MM-DD).",
}

PII_FINGERPRINT = "HMAC-SHA256 over the raw personal-data values (64 hex digits); SCD2 tracks it."


def describe(source: str, column: str) -> str:
    """The description of a landing or lineage column."""
    if column in LINEAGE:
        return LINEAGE[column]
    return SOURCE_COLUMNS[source][column]
