"""The DQ report's two faces: a markdown table of checks and a PNG chart.

The chart has two panels over the recent dates: quarantined rows by reason
(stacked bars) and the share of checks that passed. Matplotlib draws on an Agg
canvas (no GUI, no global pyplot state), so it is safe inside a run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable, Mapping

from lakehouse_assets.checks.report_data import Outcome, latest_per_check
from lakehouse_assets.transforms.validation import REASONS

FIGURE_INCHES = (11, 4.5)
DPI = 100


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _outcome(o: Outcome) -> str:
    if o.passed is None:
        return "not evaluated"
    return "passed" if o.passed else f"**FAILED** ({o.severity})"


def markdown_report(label: str, outcomes: Iterable[Outcome], quarantine: Mapping[tuple[date, str, str], int]) -> str:
    """Heading, summary line, quarantine by source and reason, then one row per check."""
    latest = latest_per_check(outcomes)
    evaluated = [o for o in latest if o.passed is not None]
    passed = sum(1 for o in evaluated if o.passed)
    rate = f"{passed / len(evaluated):.1%}" if evaluated else "n/a"
    lines = [f"### Data quality {label}", "",
             f"{passed} of {len(evaluated)} checks passed ({rate}); "
             f"{len(latest) - len(evaluated)} not evaluated.", ""]
    by_source: dict[str, dict[str, int]] = defaultdict(dict)
    for (_, source, reason), rows in quarantine.items():
        by_source[source][reason] = by_source[source].get(reason, 0) + rows
    if by_source:
        lines += ["| quarantine | rows | by reason |", "|---|---:|---|"]
        for source in sorted(by_source):
            reasons = ", ".join(f"{r} {n:,}" for r, n in sorted(by_source[source].items()))
            lines.append(f"| {source} | {sum(by_source[source].values()):,} | {reasons} |")
        lines.append("")
    lines += ["| table | check | severity | outcome | detail |", "|---|---|---|---|---|"]
    failed_first = sorted(latest, key=lambda o: (o.passed is not False, o.asset_key, o.check_name))
    for o in failed_first:
        severity = "WARN" if o.severity == "WARN" else ("ERROR, blocking" if o.blocking else "ERROR")
        lines.append(f"| {o.asset_key} | {o.check_name} | {severity} | {_outcome(o)} | {_cell(o.description)} |")
    return "\n".join(lines)


def render_chart(path: str, days: list[date], quarantine: Mapping[tuple[date, str, str], int],
                 rates: Mapping[date, tuple[int, int]]) -> None:
    """Write the PNG: quarantined rows by reason per date, and the check pass rate per date."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    bars, rate_axis = figure.subplots(1, 2)
    positions, labels = list(range(len(days))), [d.strftime("%m-%d") for d in days]
    bottom = [0] * len(days)
    for index, reason in enumerate(REASONS):  # one colour per reason, the same in every report
        heights = [sum(n for (d, _, r), n in quarantine.items() if d == day and r == reason) for day in days]
        if any(heights):
            bars.bar(positions, heights, bottom=bottom, label=reason, color=f"C{index}")
            bottom = [b + h for b, h in zip(bottom, heights)]
    bars.set_title("Quarantined rows by reason")
    bars.set_ylabel("rows")
    if any(bottom):
        bars.legend(fontsize="small")
    judged = [(i, 100.0 * rates[d][0] / rates[d][1]) for i, d in enumerate(days) if rates.get(d, (0, 0))[1]]
    rate_axis.plot([i for i, _ in judged], [share for _, share in judged], marker="o")
    rate_axis.set_ylim(0, 105)
    rate_axis.set_title("Checks passed")
    rate_axis.set_ylabel("% of evaluated checks")
    for axis in (bars, rate_axis):
        axis.set_xlim(-0.6, len(days) - 0.4)
        axis.set_xticks(positions, labels, rotation=45, fontsize="small")
    figure.tight_layout()
    figure.savefig(path, format="png")
