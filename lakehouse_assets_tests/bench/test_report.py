"""The benchmark report: figures, targets, the generated docs section and the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.options import QUICK, describe, parse
from benchmarks.report import BEGIN, END, Figure, Target, paired_ratios, render, write_section

MACHINE = [("CPU", "Test CPU"), ("cores", "2")]


def figures() -> list[Figure]:
    return [
        Figure("2", "daily / bare", "x", paired_ratios([30.0, 50.0, 33.0], [10.0, 20.0, 11.0]), Target(2.0),
               "daily 33 s"),
        Figure("1", "bronze / bare", "x", [1.10, 1.30, 1.12], Target(1.15)),
        Figure("5", "generator", "GB/min", [8.0, 7.5, 9.1], Target(1.0, at_most=False)),
        Figure("7b", "python peak", "MB", [300.0, 310.0, 305.0]),
    ]


def test_a_figure_is_the_median_of_its_runs_and_judged_against_its_target():
    by_number = {f.number: f for f in figures()}
    assert by_number["2"].runs == [3.0, 2.5, 3.0]
    assert by_number["2"].value == 3.0 and by_number["2"].verdict == "**miss**"
    assert by_number["1"].value == 1.12 and by_number["1"].verdict == "pass"
    assert by_number["5"].value == 8.0 and by_number["5"].verdict == "pass"
    assert by_number["7b"].verdict == "informative"
    with pytest.raises(ValueError):
        paired_ratios([1.0], [1.0, 2.0])


def test_the_section_lists_machine_and_figures_in_order():
    text = render(figures(), MACHINE, "2024-01-01 00:00 UTC", "Medians over 3 run(s).", "make bench")
    assert text.startswith(BEGIN) and text.rstrip().endswith(END)
    assert "| CPU | Test CPU |" in text
    rows = [line for line in text.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")
            or line.startswith("| 5 ") or line.startswith("| 7b ")]
    assert [r.split("|")[1].strip() for r in rows] == ["1", "2", "5", "7b"]
    assert "| 2 | daily / bare | **3.00×** | ≤ 2.00 | **miss** | 3.00, 2.50, 3.00 |" in rows
    assert "| 5 | generator | **8.00 GB/min** | ≥ 1.00 | pass |" in rows[2]
    assert "2. daily 33 s" in text


def test_writing_replaces_only_the_generated_section(tmp_path: Path):
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nHand-written intro.\n")
    write_section(page, render(figures()[:1], MACHINE, "first", "", "make bench"))
    write_section(page, render(figures()[1:2], MACHINE, "second", "", "make bench"))
    text = page.read_text()
    assert text.startswith("# Performance\n\nHand-written intro.\n")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "Measured second." in text and "Measured first." not in text
    page.write_text(text + "\n## Notes kept after the figures\n")
    write_section(page, render(figures()[2:3], MACHINE, "third", "", "make bench"))
    assert page.read_text().rstrip().endswith("## Notes kept after the figures")


def test_options_come_from_flags_over_environment_over_quick_defaults():
    quick = parse(["--quick"], environ={})
    assert quick.quick and quick.orders_gb == QUICK["orders_gb"] and quick.repeat == 3
    from_env = parse([], environ={"BENCH_QUICK": "1", "BENCH_REPEAT": "2", "BENCH_ORDERS_GB": "0.5"})
    assert from_env.quick and from_env.repeat == 2 and from_env.orders_gb == 0.5
    flagged = parse(["--repeat", "5", "--only", "fixed,generator", "--no-docs"], environ={"BENCH_REPEAT": "2"})
    assert flagged.repeat == 5 and flagged.figures == ("fixed", "generator") and flagged.docs is None
    assert flagged.day_repeats == 5
    split = parse(["--repeat", "3", "--day-repeat", "1"], environ={})
    assert (split.repeat, split.day_repeats) == (3, 1)
    assert "Medians over 3 run(s), 1 for the orders-day figures" in describe(split)
    assert parse([], environ={"BENCH_DAY_REPEAT": "2"}).day_repeats == 2
    with pytest.raises(SystemExit):
        parse(["--only", "nonsense"], environ={})
    with pytest.raises(SystemExit):
        parse(["--repeat", "0"], environ={})
