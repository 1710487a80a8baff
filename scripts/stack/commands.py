"""The local stack's three commands of operations.md, `python -m scripts.stack {run,up,down}`:

    run    foreground; Ctrl-C stops everything
    up     background; returns once every service is ready
    down   stops what `up` (or `run`) started; the data stays in .local/
    backup   dumps every database of the running stack into build/backups/<UTC time>/<svc>.dump
    restore  FROM (that folder, or one <svc>.dump in it) [--force: replace databases that hold rows]

`run` and `up` take `--profile isolated` (`make run ISOLATED=1`): routes, posts and offers then never call
users and get no USERS_PATH (service_core.profiles); same ports, same data folder.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from registry import ROOT, START_ORDER
from scripts.stack import backup as backups
from scripts.stack.local_stack import AUTH_PROFILES, LocalStack, StackError, running_stack
from scripts.stack.postgres import PostgresError
from scripts.stack.service_process import ServiceProcess

# Overridable so that tests can run the real commands beside a developer's own stack.
STATE_DIR = Path(os.environ.get("LOCAL_STACK_DIR", ROOT / ".local"))
BACKUP_DIR = Path(os.environ.get("LOCAL_BACKUP_DIR", ROOT / "build" / "backups"))


def _pid_file() -> Path:
    return STATE_DIR / "stack.pid"


def _profile_file() -> Path:
    return STATE_DIR / "stack.profile"


def _running_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def run(profile: str = "token") -> int:
    """Foreground: logs on this terminal; Ctrl-C (or SIGTERM from `make down`) stops everything."""
    stop = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    if (other := _running_pid()) not in (None, os.getpid()):
        print(f"The local stack is already running (process {other}); `make down` stops it.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    _pid_file().write_text(str(os.getpid()))  # so that `make down` finds a foreground stack too
    _profile_file().write_text(profile)
    stack = LocalStack(STATE_DIR, profile=profile)
    try:
        with running_stack(stack, log=None):
            print(f"Local stack ready (profile {profile}):", flush=True)
            for service in START_ORDER:
                print(f"  {service:7} {stack.url(service)}/{service}/ping", flush=True)
            print("Ctrl-C stops everything; the data stays in .local/.", flush=True)
            while not stop:
                if crashed := stack.crashed():
                    raise StackError(f"{', '.join(crashed)} stopped unexpectedly; see the log above.")
                time.sleep(0.2)
    except (StackError, PostgresError, TimeoutError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        _pid_file().unlink(missing_ok=True)
    return 0


def up(profile: str = "token", timeout: float = 90) -> int:
    if _running_pid() is not None:
        running = _profile_file().read_text() if _profile_file().exists() else "token"
        if running != profile:
            print(
                f"The local stack is already running in the {running} profile; `make down` first, then start "
                f"it in the {profile} profile.",
                file=sys.stderr,
            )
            return 1
        print("The local stack is already running (`make down` stops it).")
        return 0
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    log_path = STATE_DIR / "stack.log"
    with log_path.open("ab") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "scripts.stack", "run", "--profile", profile],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
        )
    stack = LocalStack(STATE_DIR)
    deadline = time.monotonic() + timeout
    pending = list(START_ORDER)
    while pending:
        if supervisor.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
            print(
                f"The local stack did not start: {tail[0] if tail else 'no output'} (log: {log_path})", file=sys.stderr
            )
            return 1
        if time.monotonic() > deadline:
            print(
                f"The local stack was not ready within {timeout:.0f} s (log: {log_path}); `make down` stops it.",
                file=sys.stderr,
            )
            return 1
        pending = [service for service in pending if not ServiceProcess(service, stack.ports[service], {}).ready()]
        time.sleep(0.2)
    print(f"Local stack ready (profile {profile}):")
    for service in START_ORDER:
        print(f"  {service:7} {stack.url(service)}/{service}/ping")
    return 0


def down(timeout: float = 60) -> int:
    pid = _running_pid()
    if pid is not None:
        os.kill(pid, signal.SIGTERM)  # the supervisor stops gunicorn (gracefully) and PostgreSQL
        deadline = time.monotonic() + timeout
        while _running_pid() is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if _running_pid() is not None:  # stuck: take its whole process group (`up` made it a leader)
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    _pid_file().unlink(missing_ok=True)
    LocalStack(STATE_DIR).postgres.stop()  # in case the supervisor itself was killed
    print("Local stack stopped; the data stays in .local/.")
    return 0


def backup() -> int:
    try:
        folder = backups.backup(LocalStack(STATE_DIR).database_urls(), BACKUP_DIR)
    except (StackError, PostgresError, backups.BackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(folder)
    return 0


def restore(source: Path, force: bool = False) -> int:
    try:
        dumps = backups.dumps_in(source)
        backups.restore(dumps, LocalStack(STATE_DIR).database_urls(), force=force)
    except (StackError, PostgresError, backups.BackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Restored {', '.join(dumps)} from {source}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.stack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["run", "up", "down", "backup", "restore"])
    parser.add_argument("source", nargs="?", type=Path, help="restore: a backup folder, or one <svc>.dump in it")
    parser.add_argument("--force", action="store_true", help="restore: replace databases that hold rows")
    parser.add_argument(
        "--profile",
        choices=AUTH_PROFILES,
        default="token",
        help="AUTH_PROFILE of the services (run, up): `isolated` never calls users",
    )
    args = parser.parse_args(argv)
    if args.command == "down":
        return down()
    if args.command == "backup":
        return backup()
    if args.command == "restore":
        if args.source is None:
            parser.error("restore needs the backup to restore: FROM=<folder>, or FROM=<folder>/<svc>.dump for one")
        return restore(args.source, args.force)
    return {"run": run, "up": up}[args.command](args.profile)
