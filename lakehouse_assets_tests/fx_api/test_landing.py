"""A day's rates landed as fx_rates/date=D/api.jsonl: the generator's rates in the landing format,
written once, replaced whole when they change, on local disk and on S3 (moto). No JVM."""

from __future__ import annotations

import json
from datetime import date, timedelta

from lakehouse_assets.fx_api.landing import LANDED, REPLACED, UNCHANGED, fetch_and_land, land_rates, landing_uri
from lakehouse_assets.generate.fx import fx_rows
from lakehouse_assets.resources.storage import LocalStore, store_for
from lakehouse_assets_tests.fx_api.servers import OPTIONS, client_of, fx_api

DAY = date(2024, 3, 5)


def test_the_landed_file_holds_the_generators_rates_in_the_landing_format(tmp_path):
    root = str(tmp_path / "landing")
    with fx_api(complete_day=DAY) as server:
        landed = fetch_and_land(client_of(server), LocalStore(), root, DAY)
    assert landed.status == LANDED and landed.uri == f"{root}/fx_rates/date=2024-03-05/api.jsonl"
    text = (tmp_path / "landing/fx_rates/date=2024-03-05/api.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    rows, _ = fx_rows(OPTIONS.seed, DAY, complete=True)
    assert [list(r.values()) for r in records] == rows
    assert all(list(r) == ["rate_date", "currency", "usd_per_unit"] for r in records)
    assert all(isinstance(v, str) for r in records for v in r.values())
    assert text.endswith("\n") and landed.rates == len(rows) == 7


def test_a_missing_rate_day_lands_what_the_api_has(tmp_path):
    """A day the generator leaves a currency out of (not the --start day) lands without it too."""
    days = [DAY + timedelta(days=i) for i in range(60)]
    day = next(d for d in days if fx_rows(OPTIONS.seed, d)[1]["missing_rate"])
    with fx_api() as server:
        landed = fetch_and_land(client_of(server), LocalStore(), str(tmp_path), day)
    assert landed.rates == len(fx_rows(OPTIONS.seed, day)[0]) < 7


def test_fetching_again_changes_nothing_and_new_rates_replace_the_file(tmp_path):
    root, store = str(tmp_path), LocalStore()
    path = tmp_path / "fx_rates/date=2024-03-05/api.jsonl"
    with fx_api() as server:
        first = fetch_and_land(client_of(server), store, root, DAY)
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        again = fetch_and_land(client_of(server), store, root, DAY)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    with fx_api(seed=OPTIONS.seed + 1) as other:  # the source corrected its rates
        changed = fetch_and_land(client_of(other), store, root, DAY)
    assert (first.status, again.status, changed.status) == (LANDED, UNCHANGED, REPLACED)
    assert path.read_bytes() != before[0]
    assert sorted(p.name for p in path.parent.iterdir()) == ["api.jsonl"]  # no second file, no temp left


def test_no_rates_lands_nothing(tmp_path):
    landed = land_rates(LocalStore(), str(tmp_path), DAY, [])
    assert landed.rates == 0 and "nothing landed" in landed.describe()
    assert not (tmp_path / "fx_rates").exists()


def test_landing_on_s3_is_one_object_written_once(moto_s3):
    moto_s3.create_bucket("fx-landing")
    root = "s3://fx-landing/landing"
    store = store_for(root)
    with fx_api() as server:
        first = fetch_and_land(client_of(server), store, root, DAY)
        stat = store.stat(first.uri)
        again = fetch_and_land(client_of(server), store, root, DAY)
    assert (first.status, again.status) == (LANDED, UNCHANGED)
    assert first.uri == landing_uri(root, DAY) == "s3://fx-landing/landing/fx_rates/date=2024-03-05/api.jsonl"
    assert moto_s3.keys("fx-landing") == ["landing/fx_rates/date=2024-03-05/api.jsonl"]
    assert store.stat(first.uri) == stat  # not rewritten: same ETag and modification time
    with store.open(first.uri) as handle:
        lines = handle.read().decode("utf-8").splitlines()
    assert [json.loads(line)["usd_per_unit"] for line in lines] == [r[2] for r in fx_rows(OPTIONS.seed, DAY)[0]]
