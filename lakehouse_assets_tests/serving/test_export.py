"""serving/<mart> on a real MariaDB: rows equal gold, a month replaced atomically and idempotently,
a failed export changes nothing, the checks see tampering. Gold tables are tiny frames written here."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pymysql
import pytest
from dagster import DagsterInstance

from lakehouse_assets.definitions import defs
from lakehouse_assets.run_plan import SERVING_MONTHLY_JOB, SERVING_UNPARTITIONED_JOB
from lakehouse_assets.serving.checks import MONEY_CHECK, ROW_COUNT_CHECK, check_mart
from lakehouse_assets.serving.export import ExportError, export, replace_rows, stage_name, write_stage
from lakehouse_assets.serving.migrate import migrate
from lakehouse_assets.serving.tables import SERVED_MARTS
from lakehouse_assets_tests.serving.gold import customer_rows, gold_rows, served_rows, write_gold

pytestmark = pytest.mark.slow
MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)
CMS = SERVED_MARTS["customer_monthly_sales"]
D = Decimal


@pytest.fixture(scope="module")
def lake_root(tmp_path_factory):
    return tmp_path_factory.mktemp("lake") / "lakehouse"


@pytest.fixture(scope="module")
def gold(spark, lake_root):
    """The four gold tables over March and April."""
    return {
        "customer_monthly_sales": write_gold(spark, lake_root, "customer_monthly_sales",
                                             customer_rows(MARCH, 30) + customer_rows(APRIL, 12)),
        "sales_team_monthly": write_gold(spark, lake_root, "sales_team_monthly", [
            (MARCH, "S1", "P1", 3, D("500.00"), 1, True, D("5.00")),
            (MARCH, "S1", "P2", 2, D("120.50"), 2, False, D("0.00")),
            (MARCH, "S2", "P3", 1, None, 1, True, D("0.00")),
            (APRIL, "S1", "P2", 4, D("900.99"), 1, True, D("9.01"))]),
        "category_monthly_revenue": write_gold(spark, lake_root, "category_monthly_revenue", [
            (MARCH, "Books", D("1234.56"), 10, 4, 3), (MARCH, "UNKNOWN", None, 1, 1, 1),
            (APRIL, "Books", D("99.99"), 2, 1, 1)]),
        "customer_lifetime_value": write_gold(spark, lake_root, "customer_lifetime_value", [
            ("C00001", D("12000.00"), 3, D("4000.00"), date(2024, 3, 2), date(2024, 4, 9), "VIP"),
            ("C00002", None, 1, None, date(2024, 3, 5), date(2024, 3, 5), "Low Value")]),
    }


@pytest.fixture
def lake_env(monkeypatch, lake_root, mart_server):
    monkeypatch.setenv("LAKEHOUSE_ENV", "test")
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(lake_root))
    monkeypatch.setenv("LAKEHOUSE_LANDING_ROOT", str(lake_root.parent / "landing"))
    for name, value in mart_server.env().items():
        monkeypatch.setenv(name, value)


def run_job(name: str, partition: date | None = None):
    """A serving job of the code location (its resources read the environment, as a real run's do)."""
    return defs.resolve_job_def(name).execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key=partition.isoformat() if partition else None)


def figures(db, month: date) -> tuple:
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(total_net_usd) FROM customer_monthly_sales WHERE month = %s",
                           (month,))
            return cursor.fetchone()
    finally:
        connection.close()


def execute(db, sql: str, args=None) -> None:
    connection = db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
    finally:
        connection.close()


def test_materialized_serving_rows_equal_gold_and_checks_pass(lake_env, mart_db, gold):
    for month in (MARCH, APRIL):
        result = run_job(SERVING_MONTHLY_JOB, month)
        assert result.success
        checks = result.get_asset_check_evaluations()
        assert len(checks) == 6 and all(c.passed for c in checks)
    result = run_job(SERVING_UNPARTITIONED_JOB)
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    for name, frame in gold.items():
        mart = SERVED_MARTS[name]
        assert served_rows(mart_db, mart) == gold_rows(frame, mart), name
        assert served_rows(mart_db, mart), name


def test_database_columns_are_the_gold_contract_with_decimal_money(mart_db):
    connection = mart_db.connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            for mart in SERVED_MARTS.values():
                cursor.execute("SELECT column_name, data_type, column_key FROM information_schema.columns "
                               "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position",
                               (mart.name,))
                rows = cursor.fetchall()
                assert [r[0] for r in rows] == mart.columns
                assert {r[0] for r in rows if r[2] == "PRI"} == set(mart.grain)
                assert {r[1] for r in rows if r[0] in mart.money} == {"decimal"}
                assert not {r[1] for r in rows} & {"float", "double"}
    finally:
        connection.close()
    assert migrate(mart_db) == []  # applied once


def test_reexport_is_idempotent(spark, mart_db, gold):
    frame = gold["customer_monthly_sales"]
    first = export(mart_db, CMS, frame.where(f"month = '{MARCH}'"), MARCH)
    before = served_rows(mart_db, CMS)
    again = export(mart_db, CMS, frame.where(f"month = '{MARCH}'"), MARCH)
    assert served_rows(mart_db, CMS) == before
    assert (again.rows_deleted, again.rows_inserted) == (first.rows_inserted, first.rows_inserted) == (30, 30)


def test_month_is_replaced_in_one_transaction_while_a_reader_polls(spark, mart_db):
    old = spark.createDataFrame(customer_rows(date(2023, 1, 1), 3000, "1.00", "A"), CMS_SCHEMA)
    new = spark.createDataFrame(customer_rows(date(2023, 1, 1), 5000, "2.00", "B"), CMS_SCHEMA)
    month = date(2023, 1, 1)
    export(mart_db, CMS, old, month)
    old_figures = figures(mart_db, month)
    seen, stop = [], threading.Event()

    def poll():
        reader = pymysql.connect(**reader_args(mart_db), autocommit=True)
        with reader.cursor() as cursor:
            while not stop.is_set():
                cursor.execute("SELECT COUNT(*), SUM(total_net_usd), COUNT(DISTINCT LEFT(customer_id, 1)) "
                               "FROM customer_monthly_sales WHERE month = %s", (month,))
                seen.append(cursor.fetchone())
        reader.close()

    thread = threading.Thread(target=poll)
    thread.start()
    try:
        for _ in range(2):
            export(mart_db, CMS, new, month)
            export(mart_db, CMS, old, month)
        export(mart_db, CMS, new, month)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    new_figures = figures(mart_db, month)
    assert old_figures != new_figures and old_figures[0] == 3000 and new_figures[0] == 5000
    states = {row[:2] for row in seen}
    assert states == {old_figures, new_figures}, states  # never empty, never a mix
    assert {row[2] for row in seen} == {1}  # one export's customers at a time
    assert len(seen) > 20


CMS_SCHEMA = ("month DATE, customer_id STRING, orders_count BIGINT, units BIGINT, total_net_usd DECIMAL(16,2), "
              "first_order_ts TIMESTAMP, last_order_ts TIMESTAMP")


def reader_args(db) -> dict:
    options = db.jdbc_options()
    return {"host": db.address.host, "port": db.address.port, "user": options["user"],
            "password": options["password"], "database": db.database}


def test_staged_rows_of_another_month_change_nothing(spark, mart_db, gold):
    before = served_rows(mart_db, CMS, MARCH)
    with pytest.raises(ExportError, match="not of month 2024-03"):
        export(mart_db, CMS, gold["customer_monthly_sales"], MARCH)  # March and April rows
    assert served_rows(mart_db, CMS, MARCH) == before


def test_server_killed_mid_transaction_leaves_previous_rows(spark, mart_server, mart_db, gold):
    month = date(2022, 6, 1)
    export(mart_db, CMS, spark.createDataFrame(customer_rows(month, 40), CMS_SCHEMA), month)
    before = served_rows(mart_db, CMS, month)
    replacement = spark.createDataFrame(customer_rows(month, 7, "999.00", "Z"), CMS_SCHEMA)
    stage = stage_name(CMS, month)
    write_stage(mart_db, CMS, replacement, stage)
    connection = mart_db.connect(autocommit=False)
    connection.begin()
    with connection.cursor() as cursor:
        assert replace_rows(cursor, CMS, stage, month) == (40, 7)
    mart_server.kill()  # the transaction is open: deleted and inserted, not committed
    connection.close()
    mart_server.start()
    assert served_rows(mart_db, CMS, month) == before
    export(mart_db, CMS, replacement, month)  # the next export replaces the stale staging table
    assert served_rows(mart_db, CMS, month) == gold_rows(replacement, CMS)


def test_checks_fail_when_the_database_is_tampered_with(spark, mart_db, gold):
    frame = gold["customer_monthly_sales"]
    export(mart_db, CMS, frame.where(f"month = '{APRIL}'"), APRIL)

    def outcome() -> dict[str, bool]:
        return {r.check_name: r.passed for r in check_mart(mart_db, CMS, frame, [MARCH, APRIL])}

    assert outcome() == {ROW_COUNT_CHECK: True, MONEY_CHECK: True}
    execute(mart_db, "UPDATE customer_monthly_sales SET total_net_usd = total_net_usd + 0.01 "
            "WHERE month = %s AND customer_id = 'C00003'", (APRIL,))
    assert outcome() == {ROW_COUNT_CHECK: True, MONEY_CHECK: False}
    execute(mart_db, "DELETE FROM customer_monthly_sales WHERE month = %s AND customer_id = 'C00004'", (MARCH,))
    results = {r.check_name: r for r in check_mart(mart_db, CMS, frame, [MARCH, APRIL])}
    assert not results[ROW_COUNT_CHECK].passed and "2024-03" in results[ROW_COUNT_CHECK].description
    assert not results[MONEY_CHECK].passed
    lifetime = SERVED_MARTS["customer_lifetime_value"]
    export(mart_db, lifetime, gold["customer_lifetime_value"], None)
    execute(mart_db, "INSERT INTO customer_lifetime_value VALUES ('X', 1.00, 1, 1.00, '2024-01-01', "
            "'2024-01-01', 'Low Value')")
    assert {r.check_name: r.passed for r in check_mart(mart_db, lifetime, gold["customer_lifetime_value"], None)} \
        == {ROW_COUNT_CHECK: False, MONEY_CHECK: False}
