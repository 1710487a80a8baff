"""Contract fuzzing: schemathesis against each running service's own OpenAPI document, in both profiles.

Positive and negative cases, a bounded number per operation, authenticated with a real token (in the isolated
profile, with a token nobody issued, which must change nothing): no 5xx, and every response must match what
the document says. users is the same in both profiles, so it is fuzzed once.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import registry
from scripts.stack.local_stack import LocalStack
from tests.support.callers import sign_up_and_log_in

EXAMPLES_PER_OPERATION = 25
# The contract answers a missing token with 403, where schemathesis expects 401.
CONTRACT_EXCEPTIONS = "missing_required_header"


@pytest.mark.parametrize(
    ("profile", "service"),
    [
        ("token", "users"),
        *[(profile, service) for profile in ("token", "isolated") for service in registry.TOKEN_CLIENTS],
    ],
)
def test_no_server_error_and_every_response_as_documented(
    request: pytest.FixtureRequest, profile: str, service: str, tmp_path: Path
) -> None:
    stack: LocalStack = request.getfixturevalue("stack" if profile == "token" else "isolated_stack")
    token = sign_up_and_log_in(stack.url("users")).token if profile == "token" else str(uuid.uuid4())
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{stack.url(service)}/{service}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        CONTRACT_EXCEPTIONS,
        "--mode",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        "20261128",
        "--header",
        f"Authorization: Bearer {token}",
        "--generation-database",
        "none",
        "--no-color",
        "--warnings",
        "off",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:]
