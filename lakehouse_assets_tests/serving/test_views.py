"""The BI views of SPEC §6 on hand-made rows, and the lakehouse_bi role: the views and nothing else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pymysql
import pytest

from lakehouse_assets.serving.migrate import LOCAL_BI_PASSWORD

JAN, FEB, MAR, APR, JUN = (date(2024, m, 1) for m in (1, 2, 3, 4, 6))
D = Decimal


@pytest.fixture(scope="module")
def db(mart_db):
    """The mart tables filled with the rows below (as the admin user)."""
    connection = mart_db.connect(autocommit=True)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO customer_monthly_sales VALUES (%s, %s, 1, 1, %s, '2024-01-02', '2024-01-03')",
            [(JAN, f"C{i:02d}", spend) for i, spend in enumerate(JANUARY_SPEND)] + [(FEB, "C01", D("5.00"))])
        cursor.executemany("INSERT INTO sales_team_monthly VALUES (%s, %s, %s, 1, %s, %s, %s, %s)", [
            (JAN, "S1", "P1", D("900.00"), 1, True, D("9.00")), (JAN, "S1", "P2", D("100.00"), 2, False, D("0")),
            (JAN, "S2", "P3", None, 1, True, D("0.00")), (FEB, "S1", "P2", D("50.00"), 1, True, D("0.50"))])
        cursor.executemany("INSERT INTO category_monthly_revenue VALUES (%s, %s, %s, 1, 1, 1)", [
            (JAN, "Books", D("100.00")), (FEB, "Books", D("150.00")), (MAR, "Books", D("0.00")),
            (APR, "Books", D("10.00")), (JUN, "Books", D("20.00")), (FEB, "Toys", D("33.33")),
            (JAN, "Games", D("300.00")), (FEB, "Games", D("200.00")), (FEB, "UNKNOWN", None),
            (MAR, "UNKNOWN", D("1.00"))])
    connection.close()
    return mart_db


# 12 customers C00..C11; C05 and C02 tie (and C07 and C08); C11 has no USD total.
JANUARY_SPEND = [D("10.00"), D("50.00"), D("70.00"), D("5.00"), D("90.00"), D("70.00"), D("1.00"),
                 D("30.00"), D("30.00"), D("60.00"), D("20.00"), None]


def query(db, sql: str, user: str | None = None, password: str | None = None) -> list[tuple]:
    if user is None:
        connection = db.connect(autocommit=True)
    else:
        address = db.address
        connection = pymysql.connect(host=address.host, port=address.port, user=user, password=password,
                                     database=db.database, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        connection.close()


def test_coupon_candidates_rank_by_spend_ties_to_lower_id_and_deciles(db):
    rows = query(db, "SELECT customer_id, total_net_usd, spend_rank, spend_decile FROM v_coupon_candidates "
                     f"WHERE month = '{JAN}' ORDER BY spend_rank")
    order = ["C04", "C02", "C05", "C09", "C01", "C07", "C08", "C10", "C00", "C03", "C06"]
    assert [r[0] for r in rows] == order  # C11 (null total) left out; ties to the lower id
    assert [r[2] for r in rows] == list(range(1, 12))
    # NTILE(10) over 11 rows: the first tenth holds two customers, the others one each.
    assert [r[3] for r in rows] == [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert query(db, f"SELECT customer_id, spend_rank, spend_decile FROM v_coupon_candidates WHERE month = '{FEB}'") \
        == [("C01", 1, 1)]


def test_sales_incentives_are_the_top_performer_of_each_store_and_month(db):
    rows = query(db, "SELECT month, store_id, sales_person_id, total_net_usd, incentive_usd FROM v_sales_incentives "
                     "ORDER BY month, store_id")
    assert rows == [(JAN, "S1", "P1", D("900.00"), D("9.00")), (JAN, "S2", "P3", None, D("0.00")),
                    (FEB, "S1", "P2", D("50.00"), D("0.50"))]


def test_category_trend_compares_with_the_previous_calendar_month(db):
    rows = query(db, "SELECT category, month, revenue_usd, prev_month_revenue_usd, mom_change_pct "
                     "FROM v_category_trend ORDER BY category, month")
    assert rows == [
        ("Books", JAN, D("100.00"), None, None),  # no previous month
        ("Books", FEB, D("150.00"), D("100.00"), D("50.00")),
        ("Books", MAR, D("0.00"), D("150.00"), D("-100.00")),
        ("Books", APR, D("10.00"), D("0.00"), None),  # previous revenue 0
        ("Books", JUN, D("20.00"), None, None),  # May is absent: no previous month, not April
        ("Games", JAN, D("300.00"), None, None),
        ("Games", FEB, D("200.00"), D("300.00"), D("-33.33")),
        ("Toys", FEB, D("33.33"), None, None),
        ("UNKNOWN", FEB, None, None, None),
        ("UNKNOWN", MAR, D("1.00"), None, None),  # previous revenue null
    ]


def test_bi_role_reads_the_views_and_nothing_else(db):
    bi = {"user": "lakehouse_bi", "password": LOCAL_BI_PASSWORD}
    for view in ("v_coupon_candidates", "v_sales_incentives", "v_category_trend"):
        assert query(db, f"SELECT COUNT(*) FROM {view}", **bi)[0][0] > 0
    refused = [
        "SELECT * FROM customer_monthly_sales",
        "SELECT * FROM schema_version",
        "INSERT INTO category_monthly_revenue VALUES ('2030-01-01', 'X', 1, 1, 1, 1)",
        "UPDATE v_sales_incentives SET incentive_usd = 0",
        "DELETE FROM sales_team_monthly",
        "CREATE TABLE mine (id INT)",
        "DROP VIEW v_category_trend",
    ]
    for sql in refused:
        with pytest.raises(pymysql.err.OperationalError) as error:
            query(db, sql, **bi)
        assert error.value.args[0] in (1142, 1044, 1227), (sql, error.value.args)  # access denied
    assert query(db, "SELECT COUNT(*) FROM sales_team_monthly")[0][0] == 4  # nothing was changed
