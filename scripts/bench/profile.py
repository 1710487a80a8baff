"""`make profile` (`python -m scripts.bench.profile`): where each request's time goes, layer by layer.

On a bench stack under the shipped gunicorn settings, each endpoint (and the baseline) is loaded by wrk while
py-spy samples every gunicorn process twice over: once only the threads that hold the GIL (the Python CPU
time, `--gil`) and once every busy thread (wall time, which also shows a thread waiting on a database round
trip). Each layer's share of the GIL samples, times the app's CPU per request measured in the same run, is its
cost in µs per request. Tables go to stdout and build/profile.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from registry import ROOT
from scripts.bench.generator import LoadGenerator, pick_generator
from scripts.bench.layers import shares
from scripts.bench.measure import Measured, bench_stack, run_once
from scripts.bench.stats import Run

NO_PY_SPY = "py-spy is not installed: `make profile` installs it with the test tools (requirements-dev.txt)."
SAMPLES_PER_SECOND = 200


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit(NO_PY_SPY)
    return found


def record(py_spy_path: str, pid: int, seconds: int, out: Path, *, gil: bool) -> subprocess.Popen[bytes]:
    command = [py_spy_path, "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--format", "raw"]
    command += ["--rate", str(SAMPLES_PER_SECOND), "--duration", str(seconds), "--output", str(out)]
    return subprocess.Popen([*command, "--gil"] if gil else command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile_one(tool: str, generator: LoadGenerator, measured: Measured, db_pid: int, seconds: int, work: Path) -> str:
    """One endpoint under load, sampled by py-spy (`tool`); its table as Markdown."""
    runs: list[Run] = []
    load = threading.Thread(target=lambda: runs.append(run_once(generator, measured, db_pid, seconds)))
    load.start()
    outputs = {gil: work / f"{'gil' if gil else 'wall'}.txt" for gil in (True, False)}
    recorders = [record(tool, measured.app_pid, max(1, seconds - 2), out, gil=gil) for gil, out in outputs.items()]
    for recorder in recorders:
        _, stderr = recorder.communicate()
        if recorder.returncode != 0:
            raise SystemExit(f"py-spy failed: {stderr.decode(errors='replace').strip()}")
    load.join()
    (run,) = runs
    cpu_ms = run.per_request_ms(run.app_cpu_s)
    cpu, wall = (shares(outputs[gil].read_text().splitlines()) for gil in (True, False))
    rows = [
        f"| {layer} | {100 * share:.1f} % | {share * cpu_ms * 1000:.0f} | {100 * wall.get(layer, 0):.1f} % |"
        for layer, share in cpu.items()
    ]
    rows += [f"| {layer} | — | — | {100 * share:.1f} % |" for layer, share in wall.items() if layer not in cpu]
    return "\n".join(
        [
            f"### {measured.endpoint.name}: {run.result.rps:.0f} req/s, app CPU {cpu_ms:.2f} ms/request, "
            f"database CPU {run.per_request_ms(run.db_cpu_s):.2f} ms/request",
            "",
            "| layer | share of the GIL samples | µs per request | share of the busy-thread samples |",
            "| --- | --- | --- | --- |",
            *rows,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per endpoint (sampled: all but 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "profile.md")
    args = parser.parse_args(argv)
    tool = py_spy()  # before a stack is started for nothing
    generator = pick_generator(8)
    state = ROOT / "build" / "profile-stack"
    shutil.rmtree(state, ignore_errors=True)
    sections = []
    with bench_stack("shipped", state) as bench, tempfile.TemporaryDirectory() as scratch:
        for index, measured in enumerate([*bench.baselines.values(), *bench.endpoints]):
            work = Path(scratch) / str(index)
            work.mkdir()
            sections.append(profile_one(tool, generator, measured, bench.db_pid, args.seconds, work))
            print(sections[-1], "\n", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(f"# `make profile`: {generator.description}\n\n" + "\n\n".join(sections) + "\n")
    print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
