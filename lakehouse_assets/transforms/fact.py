"""gold/fact_sales (SPEC §4): silver order lines with their dimension keys and USD amounts.

Every lookup is one left join that can match at most one dimension row, so the
fact has exactly one row per order line. `build_fact_sales` takes only the day(s)
being built; the dimensions and FX rates are the full tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from pyspark.sql import Column, DataFrame, Row, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse_assets.columns import MONEY, RATE
from lakehouse_assets.dimensions import DIMENSIONS
from lakehouse_assets.transforms.keys import UNKNOWN_KEY, date_key
from lakehouse_assets.transforms.scd2 import VALID_FROM_COL, VALID_TO_COL

MONEY_SCALE = 2
USD = "USD"
USD_PER_USD = Decimal(1)

ORDER_TS_COL = "order_ts"
ORDER_DATE_COL = "order_date"
CURRENCY_COL = "currency"
FX_RATE_COL = "fx_rate"
UNIT_COST_COL = "unit_cost_usd"

CUSTOMER, PRODUCT, STORE, SALES_PERSON = (
    DIMENSIONS[t] for t in ("dim_customer", "dim_product", "dim_store", "dim_sales_person")
)
SCD2_LOOKUPS = (CUSTOMER, PRODUCT, SALES_PERSON)
ALL_LOOKUPS = (CUSTOMER, PRODUCT, STORE, SALES_PERSON)

# Transient flags (not part of the table): the order is before the entity's first version.
BEFORE_FIRST_PREFIX = "_before_first_"

FACT_SCHEMA: tuple[tuple[str, T.DataType], ...] = (
    (ORDER_DATE_COL, T.DateType()), ("date_key", T.IntegerType()),
    ("order_id", T.StringType()), ("line_number", T.IntegerType()),
    (ORDER_TS_COL, T.TimestampType()),
    *((d.sk_col, T.LongType()) for d in ALL_LOOKUPS),
    *((d.id_col, T.StringType()) for d in ALL_LOOKUPS),
    ("quantity", T.IntegerType()), ("unit_price", MONEY), ("discount_amount", MONEY),
    ("net_amount", MONEY), (CURRENCY_COL, T.StringType()), (FX_RATE_COL, RATE),
    ("net_amount_usd", MONEY), ("cost_usd", MONEY), ("margin_usd", MONEY),
    ("payment_method", T.StringType()),
)
FACT_COLUMNS = tuple(name for name, _ in FACT_SCHEMA)

_LK_ID, _LK_SK, _LK_FROM, _LK_TO, _LK_FIRST = (
    "_lookup_id", "_lookup_sk", "_lookup_from", "_lookup_to", "_lookup_is_first",
)
_LK_CARRY_PREFIX = "_lookup_carry_"
_FX_DATE, _FX_CCY, _FX_VALUE, _FX_LATEST = "_fx_date", "_fx_currency", "_fx_value", "_fx_latest"


def before_first_col(sk_col: str) -> str:
    """The transient flag column of one SCD2 lookup, e.g. `_before_first_customer_sk`."""
    return BEFORE_FIRST_PREFIX + sk_col


def attach_scd2_key(
    facts: DataFrame, dim: DataFrame, id_col: str, sk_col: str,
    ts_col: str = ORDER_TS_COL, carry: Sequence[str] = (),
) -> DataFrame:
    """Add `sk_col` (the version valid at `ts_col`; the first version when `ts_col` is
    earlier; -1 for an id not in `dim`), the dimension columns `carry` of that version
    (null when unknown) and the boolean `before_first_col(sk_col)`.

    One left join: its ON clause matches exactly one version of a known id, because
    versions tile time from the first valid_from on and the first also covers before it.
    """
    first = Window.partitionBy(id_col).orderBy(VALID_FROM_COL)
    lookup = dim.select(
        F.col(id_col).alias(_LK_ID), F.col(sk_col).alias(_LK_SK),
        F.col(VALID_FROM_COL).alias(_LK_FROM), F.col(VALID_TO_COL).alias(_LK_TO),
        (F.row_number().over(first) == 1).alias(_LK_FIRST),
        *(F.col(c).alias(_LK_CARRY_PREFIX + c) for c in carry),
    )
    ts = F.col(ts_col)
    valid_at = (F.col(_LK_FROM) <= ts) & (F.col(_LK_TO).isNull() | (ts < F.col(_LK_TO)))
    before_first = F.col(_LK_FIRST) & (ts < F.col(_LK_FROM))
    joined = facts.join(
        lookup, on=(F.col(id_col) == F.col(_LK_ID)) & (valid_at | before_first), how="left"
    )
    return joined.select(
        *facts.columns,
        F.coalesce(F.col(_LK_SK), F.lit(UNKNOWN_KEY)).cast("bigint").alias(sk_col),
        *(F.col(_LK_CARRY_PREFIX + c).alias(c) for c in carry),
        F.coalesce(before_first, F.lit(False)).alias(before_first_col(sk_col)),
    )


def attach_scd1_key(facts: DataFrame, dim: DataFrame, id_col: str, sk_col: str) -> DataFrame:
    """Add `sk_col` from an SCD1 dimension (one row per id): by id only, -1 when unknown."""
    lookup = dim.select(F.col(id_col).alias(_LK_ID), F.col(sk_col).alias(_LK_SK))
    joined = facts.join(lookup, on=F.col(id_col) == F.col(_LK_ID), how="left")
    return joined.select(
        *facts.columns, F.coalesce(F.col(_LK_SK), F.lit(UNKNOWN_KEY)).cast("bigint").alias(sk_col)
    )


def attach_fx_rate(orders: DataFrame, fx_rates: DataFrame, order_dates: Iterable[date]) -> DataFrame:
    """Add `fx_rate` decimal(18,8): usd_per_unit of the latest rate_date <= order_date
    for the currency, 1 for USD, null when there is none.

    The rates are resolved once per (day, currency) for `order_dates`, the days the
    orders were read for (an order on another day gets no rate), and broadcast to the
    order lines: a big day costs a handful of look-ups, not one per line, and the
    orders are read once, not a second time for their distinct days and currencies.
    """
    days = orders.sparkSession.createDataFrame(
        [(day,) for day in sorted(set(order_dates))], T.StructType([T.StructField(ORDER_DATE_COL, T.DateType())])
    )
    rates = fx_rates.select(
        F.col("rate_date").alias(_FX_DATE), F.col(CURRENCY_COL).alias(_FX_CCY),
        F.col("usd_per_unit").alias(_FX_VALUE),
    )
    # max of (rate_date, rate) = the latest rate on or before the day, per currency.
    latest = (
        days.join(rates, on=F.col(_FX_DATE) <= F.col(ORDER_DATE_COL), how="inner")
        .groupBy(ORDER_DATE_COL, _FX_CCY)
        .agg(F.max(F.struct(_FX_DATE, _FX_VALUE)).alias(_FX_LATEST))
    )
    per_pair = latest.select(
        F.col(ORDER_DATE_COL).alias(_FX_DATE), _FX_CCY, F.col(_FX_LATEST)[_FX_VALUE].alias(_FX_VALUE)
    )
    # A few rows (days x currencies) by construction: broadcast, never shuffle the orders for it.
    joined = orders.join(
        F.broadcast(per_pair),
        on=(F.col(ORDER_DATE_COL) == F.col(_FX_DATE)) & (F.col(CURRENCY_COL) == F.col(_FX_CCY)),
        how="left",
    )
    rate = F.when(F.col(CURRENCY_COL) == USD, F.lit(USD_PER_USD)).otherwise(F.col(_FX_VALUE))
    return joined.select(*orders.columns, rate.cast(RATE).alias(FX_RATE_COL))


def _money(amount: Column) -> Column:
    """Round HALF_UP to cents (decimal arithmetic) and cast to decimal(14,2)."""
    return F.round(amount, MONEY_SCALE).cast(MONEY)


def build_fact_sales_with_flags(
    orders: DataFrame, dim_customer: DataFrame, dim_product: DataFrame,
    dim_store: DataFrame, dim_sales_person: DataFrame, fx_rates: DataFrame, order_dates: Iterable[date],
) -> DataFrame:
    """The fact rows (`FACT_COLUMNS`) plus one transient boolean per SCD2 lookup,
    `_before_first_<sk>`, for the metrics of `fact_sales_counts`. `order_dates`: the
    days the orders were read for (`attach_fx_rate`)."""
    facts = attach_fx_rate(orders, fx_rates, order_dates)
    facts = attach_scd2_key(facts, dim_customer, CUSTOMER.id_col, CUSTOMER.sk_col)
    facts = attach_scd2_key(facts, dim_product, PRODUCT.id_col, PRODUCT.sk_col, carry=[UNIT_COST_COL])
    facts = attach_scd1_key(facts, dim_store, STORE.id_col, STORE.sk_col)
    facts = attach_scd2_key(facts, dim_sales_person, SALES_PERSON.id_col, SALES_PERSON.sk_col)
    net_usd = _money(F.col("net_amount") * F.col(FX_RATE_COL))
    cost_usd = _money(F.col("quantity") * F.col(UNIT_COST_COL))
    facts = facts.select(
        "*",
        date_key(ORDER_DATE_COL).alias("date_key"),
        net_usd.alias("net_amount_usd"),
        cost_usd.alias("cost_usd"),
        (net_usd - cost_usd).cast(MONEY).alias("margin_usd"),
    )
    flags = [before_first_col(d.sk_col) for d in SCD2_LOOKUPS]
    return facts.select(*(F.col(n).cast(t).alias(n) for n, t in FACT_SCHEMA), *flags)


def build_fact_sales(
    orders: DataFrame, dim_customer: DataFrame, dim_product: DataFrame,
    dim_store: DataFrame, dim_sales_person: DataFrame, fx_rates: DataFrame, order_dates: Iterable[date],
) -> DataFrame:
    """gold/fact_sales rows for the given silver order lines of `order_dates`: exactly `FACT_COLUMNS`."""
    return build_fact_sales_with_flags(
        orders, dim_customer, dim_product, dim_store, dim_sales_person, fx_rates, order_dates
    ).select(*FACT_COLUMNS)


def fact_sales_counts(fact: DataFrame) -> dict[str, int]:
    """The fact's quality counts in one aggregation (one Spark job): `rows`,
    `unknown_<sk>` (-1 keys) per dimension, `null_fx_rate`, and, when the fact has
    the transient flags of `build_fact_sales_with_flags`, `before_first_<sk>`."""
    return fact_counts_of(fact.agg(*fact_count_columns(fact)).first())


def fact_count_columns(fact: DataFrame) -> list[Column]:
    """The aggregates behind `fact_sales_counts`, to run with other aggregations."""
    counts = [F.count(F.lit(1)).alias("rows")]
    counts += [
        F.count(F.when(F.col(d.sk_col) == UNKNOWN_KEY, True)).alias(f"unknown_{d.sk_col}")
        for d in ALL_LOOKUPS
    ]
    counts.append(F.count(F.when(F.col(FX_RATE_COL).isNull(), True)).alias("null_fx_rate"))
    counts += [
        F.count(F.when(F.col(before_first_col(d.sk_col)), True)).alias(f"before_first_{d.sk_col}")
        for d in SCD2_LOOKUPS
        if before_first_col(d.sk_col) in fact.columns
    ]
    return counts


def fact_counts_of(row: Row) -> dict[str, int]:
    return {name: int(row[name] or 0) for name in row.asDict()}
