"""The summaries of one gunicorn setting as a text table (stdout) and as a Markdown table (build/bench.md)."""

from __future__ import annotations

from scripts.bench.endpoints import MIN_RATIO
from scripts.bench.stats import MAX_P99_RATIO, Marks, Spread, Summary

MARK = {True: " ✓", False: " ✗", None: ""}
LEGEND = (
    f"✓ / ✗: target met / missed: × baseline ≥ {MIN_RATIO} (`GET /posts?route=`: ≥ 0.8), "
    f"p99 × baseline ≤ {MAX_P99_RATIO}, 0 errors. Each ratio is to the baseline run just before the endpoint's run."
)
COLUMNS = (
    "endpoint",
    "req/s median (min–max)",
    "× baseline median (min–max)",
    "p99 ms",
    "p99 × baseline",
    "app CPU ms/req",
    "db CPU ms/req",
    "errors",
)
# On stdout only, beside COLUMNS: the README's table has no room for them.
EXTRA_COLUMNS = ("load CPU ms/req", "worst run (round)")


def spread(values: Spread, digits: int) -> str:
    return f"{values.median:.{digits}f} ({values.low:.{digits}f}–{values.high:.{digits}f})"


def cells(summary: Summary, marks: Marks) -> list[str]:
    return [
        summary.endpoint,
        spread(summary.rps, 0),
        "—" if summary.ratio is None else spread(summary.ratio, 2) + MARK[marks.ratio],
        f"{summary.p99_ms:.1f}",
        "—" if summary.p99_ratio is None else f"{summary.p99_ratio:.2f}" + MARK[marks.p99_ratio],
        f"{summary.app_cpu_ms:.2f}",
        f"{summary.db_cpu_ms:.2f}",
        f"{summary.errors}" + MARK[marks.errors],
    ]


def text_table(rows: list[tuple[Summary, Marks]]) -> str:
    header = [*COLUMNS, *EXTRA_COLUMNS]
    body = [
        [*cells(summary, marks), f"{summary.load_cpu_ms:.2f}", f"{summary.rps.low:.0f} ({summary.worst_round})"]
        for summary, marks in rows
    ]
    widths = [max(len(row[column]) for row in [header, *body]) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *body]]
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: list[tuple[Summary, Marks]]) -> str:
    lines = [COLUMNS, ("---",) * len(COLUMNS), *(cells(summary, marks) for summary, marks in rows)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)
