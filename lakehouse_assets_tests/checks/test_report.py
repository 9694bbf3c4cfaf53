"""The DQ report's markdown and chart (its data comes from real runs in test_blocking_and_replay)."""

from __future__ import annotations

from datetime import date

from lakehouse_assets.checks.report_data import Outcome, latest_per_check, pass_rates
from lakehouse_assets.checks.report_render import markdown_report, render_chart

D1, D2 = date(2024, 3, 4), date(2024, 3, 5)


def outcome(day, table, check, passed, severity="ERROR", description="ok"):
    return Outcome(day, table, check, passed, severity, severity == "ERROR", description, "run", None, {})


OUTCOMES = [
    outcome(D1, "silver/orders", "contract", True), outcome(D2, "silver/orders", "contract", True),
    outcome(D1, "gold/fact_sales", "freshness", True, "WARN"),
    outcome(D2, "gold/fact_sales", "freshness", False, "WARN", "newest | 3 days old"),
    outcome(D2, "audit/ingested_files", "contract", None, None, "not evaluated for this date"),
]


def test_markdown_lists_failures_first_with_a_summary():
    text = markdown_report("2024-03-04..2024-03-05", OUTCOMES, {(D2, "orders", "bad_type"): 3})
    assert "1 of 2 checks passed (50.0%); 1 not evaluated." in text
    assert "| orders | 3 | bad_type 3 |" in text
    rows = text.split("| table |")[1].splitlines()[2:]
    assert rows[0] == "| gold/fact_sales | freshness | WARN | **FAILED** (WARN) | newest \\| 3 days old |"
    assert "| silver/orders | contract | ERROR, blocking | passed | ok |" in rows


def test_pass_rate_per_day_and_latest_per_check():
    assert pass_rates(OUTCOMES) == {D1: (2, 2), D2: (1, 2)}
    assert {(o.asset_key, o.day) for o in latest_per_check(OUTCOMES)} == {
        ("silver/orders", D2), ("gold/fact_sales", D2), ("audit/ingested_files", D2)}


def test_chart_is_a_png(tmp_path):
    path = tmp_path / "chart.png"
    render_chart(str(path), [D1, D2], {(D2, "orders", "bad_type"): 3, (D2, "stores", "missing_value"): 1},
                 {D1: (2, 2), D2: (1, 2)})
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
