"""Contracts of silver/<source> and quarantine/<source> (SPEC §3, §4 and docs/decisions.md).

Built from the landing contract in `lakehouse_assets.sources`: silver holds the
typed columns (required ones never null), quarantine the columns as landed text
with `reason` and `reason_detail`. All six quarantine tables share one shape.
"""

from __future__ import annotations

from pandera.pyspark import Check, Column, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import FINGERPRINT_COL, LINEAGE_COLUMNS, MONEY, PARTITION_COLUMN, RATE
from lakehouse_assets.contracts.base import CURRENCY_PATTERN, contract, field, row_rule
from lakehouse_assets.contracts.columns import PII_FINGERPRINT, describe
from lakehouse_assets.sources import SOURCES, ColumnType, Source
from lakehouse_assets.transforms.conform import SILVER_LINEAGE, silver_partition_column
from lakehouse_assets.transforms.validation import REASONS

_TYPES = {
    ColumnType.INTEGER: T.IntegerType(), ColumnType.DECIMAL: MONEY, ColumnType.DATE: T.DateType(),
    ColumnType.TIMESTAMP: T.TimestampType(), ColumnType.CURRENCY: T.StringType(), ColumnType.STRING: T.StringType(),
}
_LINEAGE_TYPES = {
    "_file_size": T.LongType(), "_row_seq": T.LongType(), "_file_modified_at": T.TimestampType(),
    "_ingested_at": T.TimestampType(), PARTITION_COLUMN: T.DateType(),
}
# Lineage every row must carry; the others are null for some rows by design.
_LINEAGE_REQUIRED = ("_source_file", "_ingested_at", "_run_id", PARTITION_COLUMN)
HEX64 = r"^[0-9a-f]{64}$"

# Value checks of SPEC §3 `out_of_range` (and the currency format), by source and column.
_VALUE_CHECKS: dict[str, dict[str, list[Check]]] = {
    "orders": {
        "line_number": [Check.ge(1)], "quantity": [Check.ge(1)], "unit_price": [Check.ge(0)],
        "discount_amount": [Check.ge(0)], "currency": [Check.str_matches(CURRENCY_PATTERN)],
    },
    "products": {"unit_cost_usd": [Check.ge(0)], "list_price_usd": [Check.ge(0)]},
    "fx_rates": {"usd_per_unit": [Check.gt(0)], "currency": [Check.str_matches(CURRENCY_PATTERN)]},
}


def silver_type(source: Source, column: str) -> T.DataType:
    """The type a landed column has once validated: money decimal(14,2), rates decimal(18,8)."""
    return RATE if column == "usd_per_unit" else _TYPES[source.type_of(column)]


def lineage_field(column: str, description: str | None = None) -> Column:
    return field(_LINEAGE_TYPES.get(column, T.StringType()), description or describe("orders", column),
                 nullable=column not in _LINEAGE_REQUIRED)


def typed_fields(source: Source) -> dict[str, Column]:
    """The source's columns as silver types them; required columns are never null."""
    checks = _VALUE_CHECKS.get(source.name, {})
    columns = {
        c: field(silver_type(source, c), describe(source.name, c), nullable=c not in source.required,
                 checks=checks.get(c, ()))
        for c in source.columns
    }
    if source.pii:
        columns[FINGERPRINT_COL] = field(T.StringType(), PII_FINGERPRINT, nullable=False,
                                         checks=[Check.str_matches(HEX64)])
    return columns


def _gross():
    return F.col("quantity") * F.col("unit_price")


def _orders_rules() -> list[Check]:
    return [
        row_rule("discount_within_gross", "discount_amount <= quantity x unit_price",
                 ("discount_amount", "quantity", "unit_price"), lambda: F.col("discount_amount") > _gross()),
        row_rule("net_amount_formula", "net_amount = quantity x unit_price - discount_amount",
                 ("net_amount",), lambda: F.col("net_amount") != (_gross() - F.col("discount_amount")).cast(MONEY)),
        row_rule("order_date_of_order_ts", "order_date is the date of order_ts",
                 ("order_date",), lambda: F.col("order_date") != F.to_date("order_ts")),
    ]


def silver_contract(source: Source) -> DataFrameSchema:
    columns = typed_fields(source)
    rules: list[Check] = []
    key = list(source.key)
    if source.name == "orders":
        columns["discount_amount"] = field(MONEY, describe("orders", "discount_amount"), nullable=False,
                                           checks=[Check.ge(0)])
        columns["order_date"] = field(T.DateType(), "Business date of the order (date of order_ts).", False)
        columns["net_amount"] = field(MONEY, "quantity x unit_price - discount_amount, order currency.", False,
                                      checks=[Check.ge(0)])
        rules = _orders_rules()
    if source.name == "fx_rates":
        rules = [row_rule("usd_is_one", "the USD rate is 1", ("usd_per_unit",),
                          lambda: (F.col("currency") == "USD") & (F.col("usd_per_unit") != 1))]
    columns.update({c: lineage_field(c) for c in SILVER_LINEAGE})
    window = silver_partition_column(source)
    if window == PARTITION_COLUMN:
        columns[PARTITION_COLUMN] = lineage_field(PARTITION_COLUMN)
        # Master data is de-duplicated per landing date (decisions 8, 10).
        key = [PARTITION_COLUMN, *key]
    return contract(f"silver/{source.name}", f"Valid, typed, de-duplicated {source.name} rows.",
                    columns, unique=key, rules=rules, window_column=window)


def quarantine_contract(source: Source) -> DataFrameSchema:
    """One shape for every source: the landed text, the first failed rule, the lineage."""
    columns = {c: field(T.StringType(), f"As landed (text). {describe(source.name, c)}") for c in source.columns}
    columns["reason"] = field(T.StringType(), "First SPEC §3 rule the row failed.", nullable=False,
                              checks=[Check.isin(list(REASONS))])
    columns["reason_detail"] = field(T.StringType(), "The failing column, or what was wrong with the line.",
                                     nullable=False)
    columns.update({c: lineage_field(c) for c in LINEAGE_COLUMNS})
    return contract(f"quarantine/{source.name}", f"{source.name} rows that failed a SPEC §3 rule, as landed.",
                    columns, unique=["_source_file", "_row_seq"], window_column=PARTITION_COLUMN)


SILVER_CONTRACTS = {("silver", s.name): silver_contract(s) for s in SOURCES.values()}
QUARANTINE_CONTRACTS = {("quarantine", s.name): quarantine_contract(s) for s in SOURCES.values()}
