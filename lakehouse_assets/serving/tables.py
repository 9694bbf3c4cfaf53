"""The marts served from the SQL database (SPEC §6): their grain, money columns and partitioning.

Columns are the gold contract's, in its order, so the staging write, the month's
INSERT ... SELECT and the checks all name the same columns as `sql/V1__mart_tables.sql`
(the tests hold the database's columns to the contract).
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster import AssetKey

from lakehouse_assets.contracts.gold import GOLD_CONTRACTS

SERVING_LAYER = "serving"
MONTH = "month"


@dataclass(frozen=True)
class ServedMart:
    name: str
    grain: tuple[str, ...]
    money: tuple[str, ...]
    monthly: bool = True

    @property
    def gold_key(self) -> AssetKey:
        return AssetKey(["gold", self.name])

    @property
    def key(self) -> AssetKey:
        return AssetKey([SERVING_LAYER, self.name])

    @property
    def columns(self) -> list[str]:
        return list(GOLD_CONTRACTS[tuple(self.gold_key.path)].columns)

    @property
    def description(self) -> str:
        return GOLD_CONTRACTS[tuple(self.gold_key.path)].description or self.name


MONTHLY_MARTS = (
    ServedMart("customer_monthly_sales", ("month", "customer_id"), ("total_net_usd",)),
    ServedMart("sales_team_monthly", ("month", "store_id", "sales_person_id"), ("total_net_usd", "incentive_usd")),
    ServedMart("category_monthly_revenue", ("month", "category"), ("revenue_usd",)),
)
LIFETIME_MART = ServedMart("customer_lifetime_value", ("customer_id",), ("total_spent_usd", "avg_order_value_usd"),
                           monthly=False)
SERVED_MARTS = {mart.name: mart for mart in (*MONTHLY_MARTS, LIFETIME_MART)}
