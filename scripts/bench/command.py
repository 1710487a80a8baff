"""`make bench` (`python -m scripts.bench`): the load benchmark, over real HTTP against a local stack of its own.

Under each gunicorn setting in turn (the shipped one, then one sync worker), the whole stack and a baseline app
(Flask + SQLAlchemy, one primary-key lookup) are started, and each endpoint is measured in rounds: a baseline
run, then the endpoint's run, whose ratio is to that baseline run. Then the latency of `GET /posts?route=` with
1,000 and 100,000 posts in the table. Tables go to stdout and build/bench.md, every run to build/bench.json;
any error during the load fails the run (exit 1), a missed target does not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sys
from pathlib import Path

from registry import ROOT
from scripts.bench.generator import pick_generator
from scripts.bench.measure import GUNICORN_SETTINGS, GUNICORN_VARIABLES, SettingFigures, measure_setting
from scripts.bench.report import LEGEND, markdown_table, text_table
from scripts.bench.stats import MAX_P99_RATIO, Marks, Summary, marks, summarise_baseline, summarise_endpoint

MIN_RUNS = 3  # fewer give no spread worth the name


def settings_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in GUNICORN_SETTINGS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(GUNICORN_SETTINGS)}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"rounds per setting (at least {MIN_RUNS})")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per run (whole seconds: wrk's unit)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument(
        "--settings",
        type=settings_list,
        default=list(GUNICORN_SETTINGS),
        help=f"the gunicorn settings to measure, in order (default {','.join(GUNICORN_SETTINGS)})",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json", help="bench.md goes beside it")
    parser.add_argument("--dev", action="store_true", help=f"allow fewer than {MIN_RUNS} runs, to try a change")
    args = parser.parse_args(argv)
    if args.runs < (1 if args.dev else MIN_RUNS):
        parser.error(f"--runs must be at least {MIN_RUNS} for a median and a spread (--dev allows fewer)")
    if args.seconds < 1 or args.connections < 1:
        parser.error("--seconds and --connections must be at least 1")
    return args


def summaries(figures: SettingFigures) -> list[tuple[Summary, Marks]]:
    """The baselines' rows, then each endpoint's, each with its target marks."""
    names = dict.fromkeys(pair.baseline_name for pair in figures.pairs)  # in the order they were measured
    baselines = [summarise_baseline(name, figures.pairs) for name in names]
    rows = [(baseline, marks(baseline, min_ratio=None)) for baseline in baselines]
    for name, min_ratio in figures.min_ratios.items():
        summary = summarise_endpoint(name, figures.pairs)
        rows.append((summary, marks(summary, min_ratio)))
    return rows


def latency_line(figures: SettingFigures) -> str:
    latency = figures.route_filter_latency
    (small, large), (small_rows, large_rows) = latency["median_ms"], latency["rows"]
    return (
        f"GET /posts?route= median latency: {small:.2f} ms at {small_rows:,} rows, {large:.2f} ms at "
        f"{large_rows:,} rows: {latency['ratio']:.2f} x"
    )


def setting_title(figures: SettingFigures) -> str:
    env = " ".join(f"{name}={value}" for name, value in figures.gunicorn_env.items())
    return f"{figures.setting}: {env or 'service_core.gunicorn_conf as shipped'}"


def markdown(all_figures: list[SettingFigures], command: str, machine: str, generator: str) -> str:
    parts = [f"Measured with `{command}` on {machine}, load from {generator}.", ""]
    for figures in all_figures:
        parts += [
            f"**{setting_title(figures)}**",
            "",
            markdown_table(summaries(figures)),
            "",
            latency_line(figures),
            "",
        ]
    return "\n".join([*parts, LEGEND, ""])


def as_json(
    all_figures: list[SettingFigures], args: argparse.Namespace, command: str, generator: str
) -> dict[str, object]:
    return {
        "command": command,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "load_generator": generator,
        "runs": args.runs,
        "seconds_per_run": args.seconds,
        "connections": args.connections,
        "targets": {"min_ratio": dict(all_figures[0].min_ratios), "max_p99_ratio": MAX_P99_RATIO, "errors": 0},
        "settings": {
            figures.setting: {
                "gunicorn_env": figures.gunicorn_env,
                "summaries": [summary.as_dict() for summary, _ in summaries(figures)],
                "pairs": [pair.as_dict() for pair in figures.pairs],
                "route_filter_latency": figures.route_filter_latency,
            }
            for figures in all_figures
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "scripts.bench", *(sys.argv[1:] if argv is None else argv)])
    machine = f"{os.cpu_count()} cores, {platform.platform()}"
    # "shipped" means service_core.gunicorn_conf's own defaults, whatever this shell says.
    for name in GUNICORN_VARIABLES:
        os.environ.pop(name, None)

    generator = pick_generator(args.connections)
    print(f"Load: {generator.description}; {args.runs} rounds of {args.seconds} s runs per setting")
    state = ROOT / "build" / "bench-stack"  # stacks of its own: the benchmark never touches .local/
    shutil.rmtree(state, ignore_errors=True)
    all_figures = []
    for setting in args.settings:
        figures = measure_setting(setting, generator, runs=args.runs, seconds=args.seconds, state=state / setting)
        print(f"\n{setting_title(figures)}\n{text_table(summaries(figures))}\n{latency_line(figures)}\n")
        all_figures.append(figures)

    print(f"All settings ({machine}; {generator.description}):")
    for figures in all_figures:
        print(f"\n{setting_title(figures)}\n{text_table(summaries(figures))}")
    print(f"\n{LEGEND}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(as_json(all_figures, args, command, generator.description), indent=2))
    args.out.with_suffix(".md").write_text(markdown(all_figures, command, machine, generator.description))
    print(f"Figures written to {args.out} and {args.out.with_suffix('.md')}")
    errors = sum(pair.baseline.result.errors + pair.measured.result.errors for f in all_figures for pair in f.pairs)
    return 1 if errors else 0
