"""What `make bench` prints and writes (scripts/bench/report.py, command.py) from fixed figures, and its options."""

from __future__ import annotations

import argparse

import pytest

from scripts.bench.command import markdown, parse_args, settings_list, summaries
from scripts.bench.measure import BASELINE, WRITE_BASELINE, SettingFigures
from scripts.bench.report import COLUMNS, EXTRA_COLUMNS, markdown_table, text_table
from scripts.bench.result import Result
from scripts.bench.stats import Pair, Run


def run(rps: float, p99_ms: float, errors: int = 0) -> Run:
    result = Result(int(rps), errors, {"500": errors} if errors else {}, 1.0, rps, p99_ms / 2, p99_ms)
    return Run(result, app_cpu_s=rps * 0.002, db_cpu_s=rps * 0.0005, load_cpu_s=rps * 0.0001)


FIGURES = SettingFigures(
    "sync",
    {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1"},
    pairs=[
        Pair(1, "GET /a", run(1000, 10), run(950, 12), BASELINE),
        Pair(1, "GET /b", run(1000, 10), run(850, 20, errors=3), BASELINE),
        Pair(2, "GET /a", run(900, 10), run(810, 11), BASELINE),
        Pair(2, "GET /b", run(1100, 10), run(900, 16), BASELINE),
        Pair(3, "GET /a", run(1000, 10), run(930, 13), BASELINE),
        Pair(3, "GET /b", run(1000, 10), run(860, 14), BASELINE),
    ],
    min_ratios={"GET /a": 0.9, "GET /b": 0.8},
    route_filter_latency={"rows": [1000, 100000], "median_ms": [2.0, 3.0], "ratio": 1.5},
)


def test_the_markdown_table_has_a_row_per_endpoint_with_its_marks() -> None:
    lines = markdown_table(summaries(FIGURES)).splitlines()
    assert lines[0] == "| " + " | ".join(COLUMNS) + " |" and set(lines[1]) == {"|", " ", "-"}
    assert lines[2:] == [
        f"| {BASELINE} | 1000 (900–1100) | — | 10.0 | — | 2.00 | 0.50 | 0 ✓ |",
        "| GET /a | 930 (810–950) | 0.93 (0.90–0.95) ✓ | 12.0 | 1.20 ✓ | 2.00 | 0.50 | 0 ✓ |",
        "| GET /b | 860 (850–900) | 0.85 (0.82–0.86) ✓ | 16.0 | 1.60 ✗ | 2.00 | 0.50 | 3 ✗ |",
    ]


def test_the_text_table_adds_the_load_cpu_and_the_worst_run_in_aligned_columns() -> None:
    lines = text_table(summaries(FIGURES)).splitlines()
    assert lines[0].split("  ")[-1] == EXTRA_COLUMNS[-1]
    assert lines[2].startswith("GET /a ") and lines[2].split()[-3:] == ["0.10", "810", "(2)"]
    column = lines[0].index("req/s median")
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines)


def test_the_markdown_file_says_the_command_the_machine_and_each_setting() -> None:
    text = markdown([FIGURES], "python -m scripts.bench --runs 3", "2 cores, Linux-x", "wrk (/usr/bin/wrk)")
    assert text.startswith("Measured with `python -m scripts.bench --runs 3` on 2 cores, Linux-x, load from wrk")
    assert "**sync: GUNICORN_WORKERS=1 GUNICORN_THREADS=1**" in text
    assert "GET /posts?route= median latency: 2.00 ms at 1,000 rows, 3.00 ms at 100,000 rows: 1.50 x" in text


def test_the_defaults_and_the_options() -> None:
    args = parse_args([])
    assert (args.runs, args.seconds, args.connections, args.settings) == (3, 5, 8, ["shipped", "sync"])
    assert parse_args(["--runs", "5", "--seconds", "10", "--settings", "sync"]).settings == ["sync"]
    assert parse_args(["--runs", "1", "--dev"]).runs == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--runs", "2"],
        ["--settings", "shipped,threaded"],
        ["--settings", ","],
        ["--seconds", "0"],
        ["--seconds", "0.5"],
    ],
)
def test_fewer_than_3_runs_or_an_unknown_setting_is_refused(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2 and "usage: python -m scripts.bench" in capsys.readouterr().err


def test_settings_are_checked_by_name() -> None:
    assert settings_list("sync, shipped") == ["sync", "shipped"]
    with pytest.raises(argparse.ArgumentTypeError, match="shipped, sync"):
        settings_list("fast")


def test_each_baseline_has_its_row_from_the_runs_paired_with_it() -> None:
    """A create is paired with the INSERT baseline, a read with the lookup: one row each, in the order run."""
    pairs = [
        Pair(1, "GET /a", run(1000, 10), run(950, 12), BASELINE),
        Pair(1, "POST /a", run(500, 20), run(600, 22), WRITE_BASELINE),
        Pair(2, "GET /a", run(1100, 10), run(990, 12), BASELINE),
        Pair(2, "POST /a", run(400, 20), run(600, 22), WRITE_BASELINE),
    ]
    figures = SettingFigures("sync", {}, pairs, {"GET /a": 0.9, "POST /a": 0.9}, FIGURES.route_filter_latency)
    rows = {summary.endpoint: summary for summary, _ in summaries(figures)}
    assert list(rows) == [BASELINE, WRITE_BASELINE, "GET /a", "POST /a"]
    assert (rows[BASELINE].runs, rows[BASELINE].rps.median) == (2, 1050)
    assert (rows[WRITE_BASELINE].runs, rows[WRITE_BASELINE].rps.median) == (2, 450)
    assert rows["POST /a"].ratio.median == pytest.approx((1.2 + 1.5) / 2)
