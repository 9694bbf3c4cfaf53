"""SPEC §3 duplicates: the winner of a key, and that only repeated keys are ranked.

`classify` ranks only the rows of (landing date, key) pairs that occur more than once
and joins the losers back; these tests pin the winner rule (latest `_ingested_at`, then
`_file_modified_at`, `_source_file`, `_row_seq`), re-delivered files, invalid rows that
share a key, and compare the outcome of every row with a plain window over all rows
(the ranking as it was before) on a frame full of repeated keys.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from pyspark.sql import Window
from pyspark.sql import functions as F

from lakehouse_assets.columns import PARTITION_COLUMN
from lakehouse_assets.sources import CUSTOMERS, DEFAULT_CURRENCIES, ORDERS
from lakehouse_assets.transforms.conform import quarantine_rows, silver_rows
from lakehouse_assets.transforms.validation import (
    DUPLICATE,
    OUTCOME,
    QUARANTINE,
    SILVER,
    TYPED_PREFIX,
    classify,
    flag,
    parsed,
    ranking_losers,
    with_typed,
)
from lakehouse_assets_tests.builders import bronze_frame, valid_order

RUN_1, RUN_2 = datetime(2024, 3, 2, 1), datetime(2024, 3, 3, 1)
EARLY, LATE = datetime(2024, 3, 1, 9), datetime(2024, 3, 1, 12)


def outcomes(spark, rows, source=ORDERS):
    """{_row_seq: _outcome} of `rows` (their position in the list)."""
    classified = classify(bronze_frame(spark, source, rows), source, DEFAULT_CURRENCIES)
    return {r["_row_seq"]: r[OUTCOME] for r in classified.select("_row_seq", OUTCOME).collect()}


def line(file: str = "/l/a.csv", ingested: datetime = RUN_1, modified: datetime = EARLY, **values) -> dict:
    return valid_order(**values) | {"_source_file": file, "_ingested_at": ingested, "_file_modified_at": modified}


def test_ties_are_broken_by_run_then_arrival_then_file_then_line(spark):
    rows = [
        line(ingested=RUN_2, modified=EARLY, file="/l/a.csv"),   # 0: latest run wins ...
        line(ingested=RUN_1, modified=LATE, file="/l/z.csv"),    # 1: ... over a later-arriving file
        line(order_id="O2", modified=LATE, file="/l/a.csv"),     # 2: same run: later file arrival wins
        line(order_id="O2", modified=EARLY, file="/l/z.csv"),    # 3
        line(order_id="O3", file="/l/b.csv"),                    # 4: same run and arrival: file name decides
        line(order_id="O3", file="/l/a.csv"),                    # 5
        line(order_id="O4", file="/l/a.csv"),                    # 6: same file: the later line wins
        line(order_id="O4", file="/l/a.csv"),                    # 7
    ]
    assert outcomes(spark, rows) == {
        0: SILVER, 1: DUPLICATE, 2: SILVER, 3: DUPLICATE, 4: SILVER, 5: DUPLICATE, 6: DUPLICATE, 7: SILVER,
    }


def test_key_three_times_across_two_files(spark):
    rows = [
        line(file="/l/a.csv", modified=EARLY, quantity="1"),
        line(file="/l/a.csv", modified=EARLY, quantity="2"),
        line(file="/l/b.csv", modified=LATE, quantity="3"),
        line(order_id="O2", file="/l/a.csv"),  # a key that occurs once is silver without ranking
    ]
    assert outcomes(spark, rows) == {0: DUPLICATE, 1: DUPLICATE, 2: SILVER, 3: SILVER}
    classified = classify(bronze_frame(spark, ORDERS, rows), ORDERS, DEFAULT_CURRENCIES)
    assert sorted((r["order_id"], r["quantity"]) for r in silver_rows(classified, ORDERS).collect()) == [
        ("O1", 3), ("O2", 2)]


def test_redelivered_file_lines_are_duplicates_whatever_they_hold(spark):
    copy = {"_source_file": "/l/copy.csv", "_duplicate_of": "/l/a.csv", "_ingested_at": RUN_2}
    rows = [
        line(),                                          # 0: the original line wins ...
        valid_order() | copy,                            # 1: ... over its newer copy in a re-delivered file
        valid_order(order_id="O2", quantity="x") | copy,  # 2: an invalid line of the copy is no quarantine row
        valid_order(order_id="O3") | copy,               # 3: a key only the copy holds is no silver row either
    ]
    assert outcomes(spark, rows) == {0: SILVER, 1: DUPLICATE, 2: DUPLICATE, 3: DUPLICATE}


def test_invalid_row_sharing_a_key_does_not_take_the_valid_rows_place(spark):
    rows = [
        line(ingested=RUN_1, quantity="2"),
        line(ingested=RUN_2, quantity="abc"),                # newest copy, but invalid: quarantine
        line(order_id="O2", ingested=RUN_2, quantity="0"),  # a key held only by invalid rows
        line(order_id="O2", ingested=RUN_1, quantity="-1"),
    ]
    assert outcomes(spark, rows) == {0: SILVER, 1: QUARANTINE, 2: QUARANTINE, 3: QUARANTINE}


def test_key_is_compared_typed_and_within_its_landing_date(spark):
    rows = [
        line(line_number="1"), line(line_number="+01", ingested=RUN_2),  # one key once typed
        line(order_id="O2"), line(order_id="O2", _partition_date=date(2024, 3, 2),
                                  order_ts="2024-03-02 10:00:00"),      # same key, two landing dates
    ]
    assert outcomes(spark, rows) == {0: DUPLICATE, 1: SILVER, 2: SILVER, 3: SILVER}
    customer = {c: "x" for c in CUSTOMERS.columns} | {"customer_id": "C1", "joined_on": "2024-01-01"}
    versions = [customer | {"updated_at": "2024-03-01 08:00:00"}, customer | {"updated_at": "2024-03-01 09:00:00"},
                customer | {"updated_at": "2024-03-01 08:00:00", "_row_seq": 9}]
    assert outcomes(spark, versions, CUSTOMERS) == {0: DUPLICATE, 1: SILVER, 9: SILVER}


def test_only_repeated_keys_are_ranked(spark):
    rows = [line(order_id=f"O{i}") for i in range(20)] + [line(order_id="O3", ingested=RUN_2)]
    losers = ranking_losers(bronze_frame(spark, ORDERS, rows), ORDERS, DEFAULT_CURRENCIES)
    assert [r["_row_seq"] for r in losers.collect()] == [3]


def test_hidden_typed_columns_stay_out_of_silver_and_quarantine(spark):
    rows = [line(), line(order_id="O2", quantity="abc")]
    classified = classify(bronze_frame(spark, ORDERS, rows), ORDERS, DEFAULT_CURRENCIES)
    assert any(c.startswith(TYPED_PREFIX) for c in classified.columns)
    for frame in (silver_rows(classified, ORDERS), quarantine_rows(classified, ORDERS)):
        assert not [c for c in frame.columns if c.startswith("__")]
    assert quarantine_rows(classified, ORDERS).collect()[0]["quantity"] == "abc"


def _window_over_all_rows(bronze, source):
    """The ranking before keys were counted: one window over every row, as reference."""
    flagged = flag(with_typed(bronze, source), source, DEFAULT_CURRENCIES)
    redelivery = F.col("_duplicate_of").isNotNull()
    valid = F.col("reason").isNull() & ~redelivery
    newest_first = Window.partitionBy(F.col(PARTITION_COLUMN), valid, *[parsed(source, c) for c in source.key]) \
        .orderBy(*[F.col(c).desc() for c in ("_ingested_at", "_file_modified_at", "_source_file", "_row_seq")])
    rank = F.when(valid, F.row_number().over(newest_first))
    return flagged.withColumn(OUTCOME, F.when(redelivery, DUPLICATE).when(F.col("reason").isNotNull(), QUARANTINE)
                              .when(rank == 1, SILVER).otherwise(DUPLICATE))


def test_same_outcome_as_a_window_over_all_rows(spark):
    rng = random.Random(7)
    rows = []
    for _ in range(300):
        day = rng.choice([date(2024, 3, 1), date(2024, 3, 2)])
        rows.append(valid_order(
            order_id=f"O{rng.randint(1, 60)}", line_number=rng.choice(["1", "2", "+1", "x"]),
            order_ts=f"{day} 10:00:00", quantity=rng.choice(["1", "2", "0"]),
        ) | {
            PARTITION_COLUMN: day, "_source_file": rng.choice(["/l/a.csv", "/l/b.csv", "/l/c.csv"]),
            "_ingested_at": rng.choice([RUN_1, RUN_2]), "_file_modified_at": EARLY + timedelta(hours=rng.randint(0, 2)),
            "_duplicate_of": "/l/a.csv" if rng.random() < 0.1 else None,
        })
    bronze = bronze_frame(spark, ORDERS, rows)
    got = {r["_row_seq"]: r[OUTCOME] for r in classify(bronze, ORDERS, DEFAULT_CURRENCIES).collect()}
    want = {r["_row_seq"]: r[OUTCOME] for r in _window_over_all_rows(bronze, ORDERS).collect()}
    assert got == want
    assert {SILVER, QUARANTINE, DUPLICATE} <= set(got.values())
