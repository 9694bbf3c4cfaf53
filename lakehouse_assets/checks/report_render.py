"""The DQ report's two faces: a markdown table of checks and a small PNG chart.

The chart has two panels over the recent dates: quarantined rows by reason (stacked
bars; hatched where a date's rows are its share of a range run's figures) and the share
of checks that passed. It is small (a few tens of KB) because the markdown carries it
inline as a data URI, which the Dagster UI shows. Matplotlib draws on an Agg canvas
(no GUI, no global pyplot state), so it is safe inside a run.
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from lakehouse_assets.checks.report_figures import OTHER_REASON
from lakehouse_assets.checks.report_outcomes import CheckSummary
from lakehouse_assets.transforms.validation import REASONS

FIGURE_INCHES = (8, 2.8)
DPI = 72


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _outcome(s: CheckSummary) -> str:
    if s.passed is None:
        return "not evaluated"
    if not s.passed:
        return f"**FAILED** ({s.severity})" + (f" on {s.failed} of {s.dates} dates" if s.dates > 1 else "")
    return "passed" + (f" ({s.evaluated} of {s.dates} dates evaluated)" if s.evaluated < s.dates else "")


def image_markdown(png: bytes, alt: str = "dq chart") -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def markdown_report(label: str, summaries: Iterable[CheckSummary], quarantine: Mapping[tuple[str, str], int],
                    approximate: bool = False, chart: bytes | None = None, left_out: Sequence[str] = ()) -> str:
    """Heading, summary line, the chart, quarantine by source and reason, then one row per check
    (failures first). `quarantine`: {(source, reason): rows} over the report's dates; `left_out`:
    sources whose checks are not listed because none was ever evaluated."""
    summaries = list(summaries)
    evaluated = [s for s in summaries if s.passed is not None]
    passed = sum(1 for s in evaluated if s.passed)
    rate = f"{passed / len(evaluated):.1%}" if evaluated else "n/a"
    lines = [f"### Data quality {label}", "",
             f"{passed} of {len(evaluated)} checks passed ({rate}); "
             f"{len(summaries) - len(evaluated)} not evaluated.", ""]
    if left_out:
        lines += [f"Not listed: the checks of {', '.join(left_out)} (never evaluated on this instance: "
                  "the source is not configured or has not run yet).", ""]
    if chart is not None:
        lines += [image_markdown(chart), ""]
    by_source: dict[str, dict[str, int]] = defaultdict(dict)
    for (source, reason), rows in quarantine.items():
        if rows:
            by_source[source][reason] = by_source[source].get(reason, 0) + rows
    if by_source:
        lines += ["| quarantine | rows | by reason |", "|---|---:|---|"]
        for source in sorted(by_source):
            reasons = ", ".join(f"{r} {n:,}" for r, n in sorted(by_source[source].items()))
            lines.append(f"| {source} | {sum(by_source[source].values()):,} | {reasons} |")
        if approximate:
            lines += ["", "Some rows are an even share of a run that also wrote other dates."]
        lines.append("")
    lines += ["| table | check | severity | outcome | detail |", "|---|---|---|---|---|"]
    failed_first = sorted(summaries, key=lambda s: (s.passed is not False, s.asset_key, s.check_name))
    for s in failed_first:
        severity = "WARN" if s.severity == "WARN" else ("ERROR, blocking" if s.blocking else "ERROR")
        lines.append(f"| {s.asset_key} | {s.check_name} | {severity} | {_outcome(s)} | {_cell(s.detail)} |")
    return "\n".join(lines)


def render_chart(days: list[date], quarantine: Mapping[tuple[date, str, str], float],
                 rates: Mapping[date, tuple[int, int]], shared: set[date] = frozenset()) -> bytes:
    """The PNG: quarantined rows by reason per date ({(date, source, reason): rows}; `shared`:
    dates whose rows are a range run's even share, hatched) and the check pass rate per date."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    bars, rate_axis = figure.subplots(1, 2)
    positions, labels = list(range(len(days))), [d.strftime("%m-%d") for d in days]
    hatches = ["//" if d in shared else None for d in days]
    bottom = [0.0] * len(days)
    colours = {reason: f"C{index}" for index, reason in enumerate(REASONS)}  # the same in every report
    reasons = [*REASONS, *sorted({r for (_, _, r) in quarantine} - set(REASONS))]
    for reason in reasons:
        heights = [sum(n for (d, _, r), n in quarantine.items() if d == day and r == reason) for day in days]
        if any(heights):
            drawn = bars.bar(positions, heights, bottom=bottom, label=reason,
                             color=colours.get(reason, "0.6" if reason == OTHER_REASON else None))
            for patch, hatch in zip(drawn, hatches):
                patch.set_hatch(hatch)
            bottom = [b + h for b, h in zip(bottom, heights)]
    bars.set_title("Quarantined rows by reason" + (" (hatched: range-run share)" if shared & set(days) else ""),
                   fontsize="medium")
    bars.set_ylabel("rows")
    if any(bottom):
        bars.legend(fontsize="x-small")
    judged = [(i, 100.0 * rates[d][0] / rates[d][1]) for i, d in enumerate(days) if rates.get(d, (0, 0))[1]]
    rate_axis.plot([i for i, _ in judged], [share for _, share in judged], marker="o")
    rate_axis.set_ylim(0, 105)
    rate_axis.set_title("Checks passed", fontsize="medium")
    rate_axis.set_ylabel("% of evaluated checks")
    step = max(1, (len(days) + 13) // 14)  # at most about 14 date labels
    for axis in (bars, rate_axis):
        axis.set_xlim(-0.6, len(days) - 0.4)
        axis.set_xticks(positions[::step], labels[::step], rotation=45, fontsize="x-small")
        axis.tick_params(axis="y", labelsize="x-small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
