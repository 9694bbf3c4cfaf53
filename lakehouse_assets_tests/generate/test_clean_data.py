"""With `defects=0` the landing zone follows SPEC §2 and every row passes SPEC §3."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from lakehouse_assets.sources import DEFAULT_CURRENCIES, SOURCES
from lakehouse_assets_tests.generate.conftest import START
from lakehouse_assets_tests.generate.spec_check import classify, file_report

DAYS = [START + timedelta(days=i) for i in range(4)]
EXTENSIONS = {"orders": ".csv", "customers": ".jsonl", "products": ".parquet",
              "stores": ".csv", "sales_team": ".csv.gz", "fx_rates": ".csv"}
CURRENCY_OF_COUNTRY = {"USA": "USD", "UK": "GBP", "Germany": "EUR", "France": "EUR",
                       "India": "INR", "Japan": "JPY", "Canada": "CAD", "Australia": "AUD"}


def _rows(landing, source: str, day: date | None = None) -> list[dict]:
    cols = SOURCES[source].columns
    return [dict(zip(cols, r)) for f in landing.of(source) if day in (None, f.day) for r in f.records]


def test_one_file_per_source_and_day_in_its_format(clean_landing):
    for source, ext in EXTENSIONS.items():
        files = clean_landing.of(source)
        assert sorted(f.day for f in files) == DAYS, source
        for f in files:
            assert f.path.name.endswith(ext) and f.path.name.endswith(".gz") == ext.endswith(".gz"), f.path


def test_row_counts_and_summary_match_the_files(clean_landing):
    assert [len(f.records) for f in sorted(clean_landing.of("orders"), key=lambda f: f.day)] == [3000] * 4
    for source, s in clean_landing.summary.sources.items():
        files = clean_landing.of(source)
        assert s.files == len(files)
        assert s.rows == sum(len(f.records) for f in files)
        assert s.bytes == sum(f.path.stat().st_size for f in files)
        assert not s.defects


def test_every_row_passes_every_rule_and_no_key_repeats_in_a_file(clean_landing):
    for f in clean_landing.files:
        source = SOURCES[f.source]
        failures = Counter(classify(source, r, f.day)[0] for r in f.records)
        assert failures == Counter({None: len(f.records)}), (f.path, failures)
        counts, _ = file_report(f)
        assert not counts, (f.path, counts)


def test_orders_are_internally_consistent(clean_landing):
    stores = {r["store_id"]: r for r in _rows(clean_landing, "stores", START)}
    team = {r["sales_person_id"]: r for r in _rows(clean_landing, "sales_team", START)}
    orders = _rows(clean_landing, "orders")
    keys = Counter((r["order_id"], r["line_number"]) for r in orders)
    assert max(keys.values()) == 1  # unique across all days
    by_order = defaultdict(list)
    for r in orders:
        by_order[r["order_id"]].append(r)
        assert r["order_id"].startswith(f"O{r['order_ts'][:10].replace('-', '')}-")
        assert r["currency"] == CURRENCY_OF_COUNTRY[stores[r["store_id"]]["country"]]
        assert r["sales_person_id"] in team
        assert r["payment_method"] in ("card", "cash", "mobile", "gift_card", "")
    for lines in by_order.values():
        assert sorted(int(r["line_number"]) for r in lines) == list(range(1, len(lines) + 1))
        assert len(lines) <= 5
        assert len({(r["order_ts"], r["customer_id"], r["store_id"], r["sales_person_id"]) for r in lines}) == 1
    home = sum(team[r["sales_person_id"]]["store_id"] == r["store_id"] for r in orders) / len(orders)
    assert 0.7 < home < 1.0  # usually, not always, a sales person of the order's store
    discounts = Counter("empty" if not r["discount_amount"] else "zero" if Decimal(r["discount_amount"]) == 0
                        else "positive" for r in orders)
    assert set(discounts) == {"empty", "zero", "positive"}


def test_orders_reference_master_data_with_a_few_unknown_ids(clean_landing):
    customers = {r["customer_id"] for r in _rows(clean_landing, "customers", START)}
    products = {r["product_id"] for r in _rows(clean_landing, "products", START)}
    orders = _rows(clean_landing, "orders")
    unknown_customers = sum(r["customer_id"] not in customers for r in orders) / len(orders)
    unknown_products = sum(r["product_id"] not in products for r in orders) / len(orders)
    assert 0 < unknown_customers < 0.02 and 0 < unknown_products < 0.02


def test_master_data_is_plausible(clean_landing):
    stores = _rows(clean_landing, "stores", START)
    assert len(stores) == 20 and {s["country"] for s in stores} == set(CURRENCY_OF_COUNTRY)
    assert any("," in s["address"] for s in stores) and any('"' in s["store_name"] for s in stores)
    team = {r["sales_person_id"]: r for r in _rows(clean_landing, "sales_team", START)}
    per_store = Counter(r["store_id"] for r in team.values())
    assert set(per_store) == {s["store_id"] for s in stores} and all(3 <= n <= 6 for n in per_store.values())
    assert all(r["manager_id"] in team and r["manager_id"] != p for p, r in team.items() if r["manager_id"])
    assert any(not r["manager_id"] for r in team.values())
    products = _rows(clean_landing, "products", START)
    assert len({p["category"] for p in products}) == 8
    assert all(Decimal(p["unit_cost_usd"]) < Decimal(p["list_price_usd"]) for p in products)
    customers = _rows(clean_landing, "customers", START)
    assert any(not c["first_name"].isascii() or not c["last_name"].isascii() for c in customers)
    assert all(c["joined_on"] <= c["updated_at"][:10] < START.isoformat() for c in customers)


def test_first_day_is_a_snapshot_then_change_extracts(clean_landing):
    events: Counter = Counter()
    for source in ("customers", "products", "stores", "sales_team"):
        spec = SOURCES[source]
        snapshot = _rows(clean_landing, source, START)
        delivered = {tuple(r.values()) for r in snapshot}
        ids = {r[spec.columns[0]] for r in snapshot}
        assert len(ids) == len(snapshot)
        for day in DAYS[1:]:
            extract = _rows(clean_landing, source, day)
            assert len(extract) < len(snapshot) / 2 or source == "stores"
            for r in extract:
                assert r[spec.columns[0]] in ids
                updated = date.fromisoformat(r["updated_at"][:10])
                if tuple(r.values()) in delivered:
                    events["resent"] += 1
                elif updated == day:
                    events["changed"] += 1
                else:
                    assert day - timedelta(days=3) <= updated < day, r
                    events["late"] += 1
            delivered |= {tuple(r.values()) for r in extract}
    assert events["changed"] and events["resent"] and events["late"], events


def test_fx_rates_one_per_currency_with_usd_at_one(clean_landing):
    previous = None
    for day in DAYS:
        rows = _rows(clean_landing, "fx_rates", day)
        rates = {r["currency"]: Decimal(r["usd_per_unit"]) for r in rows}
        assert len(rates) == len(rows) and set(rates) <= set(DEFAULT_CURRENCIES)
        assert rates["USD"] == 1 and all(r["rate_date"] == day.isoformat() for r in rows)
        assert Decimal("0.005") < rates.get("JPY", Decimal("0.0068")) < Decimal("0.009")
        if previous:
            for c in set(rates) & set(previous):
                assert abs(rates[c] / previous[c] - 1) < Decimal("0.03")  # a small daily move
        previous = rates
