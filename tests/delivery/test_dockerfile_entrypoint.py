"""Each image's entry point, run without Docker: the Dockerfile's own files, environment and CMD.

For every service the test reads `apps/<svc>/Dockerfile` and
  1. lays out the builder stage's COPYs (through apps/.dockerignore) and installs the requirements file its
     RUN names into a fresh virtual environment, as the builder does (`venv --without-pip`, outer pip);
  2. lays out the final stage's COPYs from the build context (through apps/.dockerignore again) under a
     temporary root, maps the image's paths (/opt/venv, /app, ...) into it, and applies its ENV and WORKDIR;
  3. runs its CMD, exactly as written except for `--bind`: 0.0.0.0:5000 becomes 127.0.0.1:<free port>, so
     that the test neither listens on every interface nor collides with a running local stack;
  4. expects `GET /<svc>/ping` -> 200 `pong` (liveness touches no database; DATABASE_URI points nowhere).

So the image's entry point cannot drift from the code: rename `create_app`, move a package, forget a COPY,
exclude a needed file in .dockerignore or drop a runtime requirement, and this fails.

The virtual environments are cached in build/test-venvs/, one per distinct set of requirement files (key:
their contents and the Python version); a cached one is never changed after it was made. Delete build/ to
start from nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
import requests

from registry import NAMES, ROOT
from tests.delivery.dockerfile import APPS, DockerIgnore, Stage, context_files, dockerfile, stages

VENV_CACHE = ROOT / "build" / "test-venvs"
BIND = "0.0.0.0:5000"  # what the cluster's probes and Service expect (CONTRIBUTING.md)
# What the cluster gives every container (CONTRIBUTING.md), pointed at nothing: /ping must not need it.
CLUSTER_ENV = {
    "DATABASE_URI": "postgresql://nobody:nothing@127.0.0.1:1/none",
    "FLASK_ENV": "production",
    "USERS_PATH": "http://127.0.0.1:1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _place(files: dict[str, Path], destination: PurePosixPath, dest_is_dir: bool, root: Path) -> None:
    for relative, source in files.items():
        if dest_is_dir or len(files) > 1:
            target = root / destination.relative_to("/") / relative
        else:
            target = root / destination.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _lay_out(stage: Stage, root: Path, ignore: DockerIgnore) -> dict[str, str]:
    """Copy the stage's context COPYs under `root`; return {image path: from-stage} for `COPY --from`."""
    from_stages: dict[str, str] = {}
    workdir = PurePosixPath("/")
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.args.strip()
        if instruction.keyword != "COPY":
            continue
        flags, words = instruction.flags_and_words()
        *sources, dest = words
        destination = workdir / dest
        if "from" in flags:
            from_stages[str(destination)] = flags["from"]
            continue
        for source in sources:
            files = context_files(source, ignore)
            assert files, f"COPY {source}: nothing in apps/{source} reaches the build (missing, or .dockerignore)"
            _place(files, destination, dest.endswith("/"), root)
    return from_stages


def _requirement_file(stage: Stage) -> str:
    """The file the builder's RUN installs with `--requirement` / `-r` (relative to its WORKDIR)."""
    for instruction in stage.all("RUN"):
        words = instruction.args.split()
        for flag in ("--requirement", "-r"):
            if flag in words:
                return words[words.index(flag) + 1]
    raise AssertionError("the builder stage installs no --requirement file")


def _build_venv(builder: Stage, tmp: Path, ignore: DockerIgnore) -> Path:
    """A virtual environment made the way the builder makes /opt/venv (cached by content)."""
    build_root = tmp / "builder"
    _lay_out(builder, build_root, ignore)
    workdir = build_root / builder.workdir().lstrip("/")
    # Keyed by content only: routes, posts and offers have the same requirements, hence one venv.
    digest = hashlib.sha256(sys.version.encode())
    for content in sorted(p.read_bytes() for p in build_root.rglob("*") if p.is_file()):
        digest.update(hashlib.sha256(content).digest())
    venv = VENV_CACHE / digest.hexdigest()[:16]
    VENV_CACHE.mkdir(parents=True, exist_ok=True)
    with open(VENV_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers may want the same one
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
            install = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "--python",
                    str(venv / "bin" / "python"),
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--requirement",
                    _requirement_file(builder),
                ],
                cwd=workdir,
                capture_output=True,
                text=True,
            )
            assert install.returncode == 0, f"installing the builder's requirements failed:\n{install.stderr}"
            (venv / ".complete").touch()
    return venv


def _map(value: str, root: Path, mounts: dict[str, Path]) -> str:
    """Rewrite the image's absolute paths in an ENV value (`:` lists too) to where the test put them."""
    parts = []
    for part in value.split(":"):
        for image_path, host in mounts.items():
            if part == image_path or part.startswith(image_path + "/"):
                part = str(host) + part[len(image_path) :]
                break
        else:
            if part.startswith("/") and (root / part.lstrip("/")).exists():
                part = str(root / part.lstrip("/"))
        parts.append(part)
    return os.pathsep.join(parts)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    service: str = request.param
    path = dockerfile(service)
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    assert (APPS / service / service).is_dir(), f"apps/{service}/{service} (the service's package) is missing"
    parsed = stages(path.read_text())
    final, named = parsed[-1], {s.name: s for s in parsed if s.name}
    ignore = DockerIgnore.read(APPS / ".dockerignore")

    root = tmp_path / "root"
    mounts: dict[str, Path] = {}
    for image_path, stage_name in _lay_out(final, root, ignore).items():
        assert stage_name in named, f"COPY --from={stage_name}: no such stage"
        mounts[image_path] = _build_venv(named[stage_name], tmp_path, ignore)

    # The image's ENV over a bare environment ($PATH: the base image's, i.e. this machine's), then what
    # the cluster adds.
    env = {"HOME": str(tmp_path), "LANG": "C.UTF-8", "TMPDIR": str(tmp_path)}
    for key, value in final.env().items():
        env[key] = _map(value.replace("$PATH", os.environ["PATH"]), root, mounts)
    env.setdefault("PATH", os.environ["PATH"])
    env.update(CLUSTER_ENV)

    command = final.cmd()
    assert "--bind" in command and command[command.index("--bind") + 1] == BIND, command
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable and any(executable.startswith(str(v)) for v in mounts.values()), (
        f"{command[0]} resolves to {executable}, not to the image's virtual environment"
    )

    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [executable, *command[1:]],
            cwd=root / final.workdir().lstrip("/"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Server(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: the test has no request in flight
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("server", NAMES, indirect=True)
def test_the_dockerfile_command_serves_ping(server: Server, request: pytest.FixtureRequest) -> None:
    service = request.node.callspec.params["server"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the {service} CMD exited ({server.process.returncode}) before answering:\n{server.output()}")
        try:
            response = requests.get(f"{server.url}/{service}/ping", timeout=5)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or no worker booted yet
            time.sleep(0.2)
            continue
        assert (response.status_code, response.text) == (200, "pong"), server.output()
        return
    pytest.fail(f"{service} did not answer /{service}/ping within 60 s:\n{server.output()}")
