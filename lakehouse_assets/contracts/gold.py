"""Contracts of gold/fact_sales and the marts (SPEC §4, decisions 17-20)."""

from __future__ import annotations

from decimal import Decimal

from pandera.pyspark import Check, DataFrameSchema
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import BIG_MONEY, MONEY, RATE
from lakehouse_assets.contracts.base import CURRENCY_PATTERN, aggregate_rule, contract, field, row_rule
from lakehouse_assets.contracts.columns import SOURCE_COLUMNS

ORDERS = SOURCE_COLUMNS["orders"]
UNKNOWN_KEY_CHECKS = (Check.ge(-1), Check.ne(0))  # a hash key, or -1 for an unknown entity
COUNT_CHECKS = (Check.ge(1),)
# SPEC §4 customer_lifetime_value segments: (spend strictly above, segment), highest first.
SEGMENTS = ((Decimal("10000"), "VIP"), (Decimal("5000"), "High Value"), (Decimal("1000"), "Medium Value"))
LOW_VALUE = "Low Value"


def _sk(entity: str):
    return field(T.LongType(), f"{entity} version valid at order_ts; -1 when the {entity} is unknown.",
                 nullable=False, checks=UNKNOWN_KEY_CHECKS)


def _money_rule(name: str, description: str, column: str, expected) -> Check:
    """`column` equals `expected()`, null exactly when the formula gives null."""
    return row_rule(name, description, (column,), lambda: ~F.col(column).eqNullSafe(expected()))


def fact_sales_contract() -> DataFrameSchema:
    columns = {
        "order_date": field(T.DateType(), "Business date of the order.", False),
        "date_key": field(T.IntegerType(), "order_date as yyyymmdd (joins dim_date).", False),
        "order_id": field(T.StringType(), ORDERS["order_id"], False),
        "line_number": field(T.IntegerType(), ORDERS["line_number"], False, [Check.ge(1)]),
        "order_ts": field(T.TimestampType(), ORDERS["order_ts"], False),
        "customer_sk": _sk("customer"), "product_sk": _sk("product"),
        "store_sk": _sk("store"), "sales_person_sk": _sk("sales person"),
        "customer_id": field(T.StringType(), ORDERS["customer_id"], False),
        "product_id": field(T.StringType(), ORDERS["product_id"], False),
        "store_id": field(T.StringType(), ORDERS["store_id"], False),
        "sales_person_id": field(T.StringType(), ORDERS["sales_person_id"], False),
        "quantity": field(T.IntegerType(), ORDERS["quantity"], False, [Check.ge(1)]),
        "unit_price": field(MONEY, ORDERS["unit_price"], False, [Check.ge(0)]),
        "discount_amount": field(MONEY, ORDERS["discount_amount"], False, [Check.ge(0)]),
        "net_amount": field(MONEY, "quantity x unit_price - discount_amount, order currency.", False, [Check.ge(0)]),
        "currency": field(T.StringType(), ORDERS["currency"], False, [Check.str_matches(CURRENCY_PATTERN)]),
        "fx_rate": field(RATE, "USD per unit of the latest rate on or before order_date (1 for USD); "
                         "null without such a rate.", checks=[Check.gt(0)]),
        "net_amount_usd": field(MONEY, "round(net_amount x fx_rate, 2); null without an FX rate."),
        "cost_usd": field(MONEY, "round(quantity x unit_cost_usd, 2) of the product version; null when the "
                          "product is unknown.", checks=[Check.ge(0)]),
        "margin_usd": field(MONEY, "net_amount_usd - cost_usd."),
        "payment_method": field(T.StringType(), ORDERS["payment_method"]),
    }
    rules = [
        row_rule("date_key_of_order_date", "date_key = yyyymmdd of order_date", ("date_key",),
                 lambda: F.col("date_key") != F.date_format("order_date", "yyyyMMdd").cast("int")),
        row_rule("order_date_of_order_ts", "order_date is the date of order_ts", ("order_date",),
                 lambda: F.col("order_date") != F.to_date("order_ts")),
        _money_rule("net_amount_formula", "net_amount = quantity x unit_price - discount_amount", "net_amount",
                    lambda: (F.col("quantity") * F.col("unit_price") - F.col("discount_amount")).cast(MONEY)),
        _money_rule("net_amount_usd_formula", "net_amount_usd = round(net_amount x fx_rate, 2)", "net_amount_usd",
                    lambda: F.round(F.col("net_amount") * F.col("fx_rate"), 2).cast(MONEY)),
        _money_rule("margin_formula", "margin_usd = net_amount_usd - cost_usd", "margin_usd",
                    lambda: (F.col("net_amount_usd") - F.col("cost_usd")).cast(MONEY)),
        row_rule("usd_rate_is_one", "fx_rate is 1 for USD", ("fx_rate",),
                 lambda: (F.col("currency") == "USD") & (F.col("fx_rate") != 1)),
        row_rule("unknown_product_has_no_cost", "cost_usd is null for product_sk -1", ("cost_usd",),
                 lambda: (F.col("product_sk") == -1) & F.col("cost_usd").isNotNull()),
    ]
    return contract("gold/fact_sales", "One row per silver order line with dimension keys and USD amounts.",
                    columns, unique=["order_id", "line_number"], rules=rules, window_column="order_date")


def _month(description: str = "First day of the month."):
    return field(T.DateType(), description, nullable=False)


def _first_day_rule() -> Check:
    return row_rule("month_is_first_day", "month is the first day of a month", ("month",),
                    lambda: F.col("month") != F.trunc("month", "month"))


def customer_monthly_sales_contract() -> DataFrameSchema:
    columns = {
        "month": _month(), "customer_id": field(T.StringType(), ORDERS["customer_id"], False),
        "orders_count": field(T.LongType(), "Distinct orders in the month.", False, COUNT_CHECKS),
        "units": field(T.LongType(), "Units bought in the month.", False, COUNT_CHECKS),
        "total_net_usd": field(BIG_MONEY, "USD spend in the month (orders without FX left out)."),
        "first_order_ts": field(T.TimestampType(), "First order of the month.", False),
        "last_order_ts": field(T.TimestampType(), "Last order of the month.", False),
    }
    rules = [
        _first_day_rule(),
        row_rule("first_before_last", "first_order_ts <= last_order_ts", ("first_order_ts",),
                 lambda: F.col("first_order_ts") > F.col("last_order_ts")),
        row_rule("orders_in_month", "orders fall in the row's month", ("first_order_ts",),
                 lambda: F.trunc(F.to_date("first_order_ts"), "month") != F.col("month")),
    ]
    return contract("gold/customer_monthly_sales", "Monthly orders, units and USD spend per customer.",
                    columns, unique=["month", "customer_id"], rules=rules, window_column="month")


def _one_top_per_store():
    """Stores (per month) without a top performer, plus top performers beyond one per store."""
    top, store = F.col("is_top_performer"), F.struct("month", "store_id")
    top_stores = F.count_distinct(F.when(top, store))
    return (F.count_distinct(store) - top_stores) + (F.count(F.when(top, F.lit(1))) - top_stores)


def sales_team_monthly_contract() -> DataFrameSchema:
    columns = {
        "month": _month(), "store_id": field(T.StringType(), "Store of the orders.", False),
        "sales_person_id": field(T.StringType(), ORDERS["sales_person_id"], False),
        "orders_count": field(T.LongType(), "Distinct orders in the month and store.", False, COUNT_CHECKS),
        "total_net_usd": field(MONEY, "USD sales in the month and store (orders without FX left out)."),
        "rank_in_store": field(T.IntegerType(), "1 = highest total_net_usd in the store; ties to the lower id.",
                               False, COUNT_CHECKS),
        "is_top_performer": field(T.BooleanType(), "rank_in_store = 1.", False),
        "incentive_usd": field(MONEY, "The top performer's incentive; 0.00 for everyone else.", False,
                               [Check.ge(0)]),
    }
    rules = [
        _first_day_rule(),
        row_rule("top_is_rank_one", "is_top_performer exactly for rank 1", ("is_top_performer",),
                 lambda: F.col("is_top_performer") != (F.col("rank_in_store") == 1)),
        row_rule("incentive_only_for_top", "incentive_usd is 0.00 unless top performer", ("incentive_usd",),
                 lambda: ~F.col("is_top_performer") & (F.col("incentive_usd") != 0)),
        aggregate_rule("one_top_per_store", "exactly one top performer per store and month",
                       ("is_top_performer",), _one_top_per_store),
    ]
    return contract("gold/sales_team_monthly", "Monthly sales per sales person and store, with the incentive.",
                    columns, unique=["month", "store_id", "sales_person_id"], rules=rules, window_column="month")


def category_monthly_revenue_contract() -> DataFrameSchema:
    columns = {
        "month": _month(),
        "category": field(T.StringType(), "Product category of the fact's product version; UNKNOWN for -1.", False),
        "revenue_usd": field(MONEY, "USD revenue (orders without FX left out)."),
        "units": field(T.LongType(), "Units sold.", False, COUNT_CHECKS),
        "orders_count": field(T.LongType(), "Distinct orders.", False, COUNT_CHECKS),
        "unique_customers": field(T.LongType(), "Distinct customers.", False, COUNT_CHECKS),
    }
    return contract("gold/category_monthly_revenue", "Monthly USD revenue, units, orders and customers per category.",
                    columns, unique=["month", "category"], rules=[_first_day_rule()], window_column="month")


def _segment():
    segment = F.lit(LOW_VALUE)
    for threshold, name in reversed(SEGMENTS):
        segment = F.when(F.col("total_spent_usd") > F.lit(threshold), F.lit(name)).otherwise(segment)
    return segment


def customer_lifetime_value_contract() -> DataFrameSchema:
    segments = [name for _, name in SEGMENTS] + [LOW_VALUE]
    columns = {
        "customer_id": field(T.StringType(), ORDERS["customer_id"], False),
        "total_spent_usd": field(BIG_MONEY, "Lifetime USD spend (orders without FX left out)."),
        "orders_count": field(T.LongType(), "Distinct orders ever.", False, COUNT_CHECKS),
        "avg_order_value_usd": field(MONEY, "round(total_spent_usd / orders_count, 2)."),
        "first_order_date": field(T.DateType(), "Date of the first order.", False),
        "last_order_date": field(T.DateType(), "Date of the latest order.", False),
        "segment": field(T.StringType(), "VIP > 10000, High Value > 5000, Medium Value > 1000, else Low Value.",
                         False, [Check.isin(segments)]),
    }
    rules = [
        row_rule("first_before_last", "first_order_date <= last_order_date", ("first_order_date",),
                 lambda: F.col("first_order_date") > F.col("last_order_date")),
        _money_rule("average_formula", "avg_order_value_usd = round(total_spent_usd / orders_count, 2)",
                    "avg_order_value_usd",
                    lambda: F.round(F.col("total_spent_usd") / F.col("orders_count"), 2).cast(MONEY)),
        row_rule("segment_of_spend", "segment follows the spend thresholds", ("segment",),
                 lambda: F.col("segment") != _segment()),
    ]
    return contract("gold/customer_lifetime_value", "Lifetime USD spend, orders, average order value, segment.",
                    columns, unique=["customer_id"], rules=rules)


GOLD_CONTRACTS = {
    ("gold", "fact_sales"): fact_sales_contract(),
    ("gold", "customer_monthly_sales"): customer_monthly_sales_contract(),
    ("gold", "sales_team_monthly"): sales_team_monthly_contract(),
    ("gold", "category_monthly_revenue"): category_monthly_revenue_contract(),
    ("gold", "customer_lifetime_value"): customer_lifetime_value_contract(),
}
