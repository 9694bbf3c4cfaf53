"""SPEC §7's gold/sales_pipeline_monthly read independently, in plain Python (no Spark)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def rate_on(rates: list[dict], currency: str, day: date) -> Decimal | None:
    """USD per unit of the latest rate with rate_date <= day (USD: 1)."""
    if currency == "USD":
        return Decimal(1)
    known = [r for r in rates if r["currency"] == currency and r["rate_date"] <= day]
    return max(known, key=lambda r: r["rate_date"])["usd_per_unit"] if known else None


def pipeline(deals: list[dict], rates: list[dict], month: date) -> dict[tuple[str, str], tuple]:
    """(store_id, stage) -> (deals_count, amount_usd, entered_in_month) for `month`."""
    end = datetime.combine(next_month(month), datetime.min.time())
    start = datetime.combine(month, datetime.min.time())
    last_day = next_month(month) - timedelta(days=1)
    by_deal: dict[str, list[dict]] = defaultdict(list)
    for record in deals:
        by_deal[record["deal_id"]].append(record)
    counts: dict = defaultdict(int)
    amounts: dict = {}
    entered: dict = defaultdict(set)
    for deal_id, records in by_deal.items():
        records.sort(key=lambda r: r["updated_at"])
        before_end = [r for r in records if r["updated_at"] < end]
        if before_end and not before_end[-1]["is_deleted"]:
            state = before_end[-1]
            group = (state["store_id"], state["stage"])
            counts[group] += 1
            amounts.setdefault(group, None)
            rate = rate_on(rates, state["currency"], last_day) if state["amount"] is not None else None
            if rate is not None:
                usd = (state["amount"] * rate).quantize(CENT, ROUND_HALF_UP)
                amounts[group] = (amounts[group] or Decimal("0.00")) + usd
        previous = None
        for record in records:
            changed = previous is None or previous["stage"] != record["stage"]
            if changed and not record["is_deleted"] and start <= record["updated_at"] < end:
                entered[(record["store_id"], record["stage"])].add(deal_id)
            previous = record
    groups = set(counts) | set(entered)
    return {g: (counts.get(g, 0), amounts.get(g), len(entered.get(g, ()))) for g in groups}
