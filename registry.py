"""The marketplace's services and their facts, and where the repository is: the one list that the scripts,
the bootstrap and the tests read. Standard library only, so that anything can import it.

Adding a service is its folders (apps/<svc>/, gitops/services/<svc>/, gitops/envs/<env>/<svc>/) and one
entry in SERVICES; tests/test_registry.py checks that the tree agrees with this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Service:
    name: str
    port: int  # its NodePort in the cluster, and its port on 127.0.0.1 in the local stack (operations.md)
    checks_tokens: bool  # in the token profile it asks users about every token, so it needs USERS_PATH

    @property
    def package(self) -> Path:
        """The service's Python package: models, schemas, api, migrations."""
        return ROOT / "apps" / self.name / self.name

    @property
    def dockerfile(self) -> Path:
        return ROOT / "apps" / self.name / "Dockerfile"


SERVICES: tuple[Service, ...] = (
    Service("users", 30001, checks_tokens=False),
    Service("routes", 30002, checks_tokens=True),
    Service("offers", 30003, checks_tokens=True),
    Service("posts", 30004, checks_tokens=True),
)

NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)
PORTS: dict[str, int] = {service.name: service.port for service in SERVICES}
TOKEN_CLIENTS: tuple[str, ...] = tuple(service.name for service in SERVICES if service.checks_tokens)
# users first: the others check tokens against it, so they start after it and stop before it.
START_ORDER: tuple[str, ...] = tuple(name for name in NAMES if name not in TOKEN_CLIENTS) + TOKEN_CLIENTS


def service(name: str) -> Service:
    """The service of that name; KeyError (naming the known ones) for any other."""
    for candidate in SERVICES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown service {name!r}: expected one of {', '.join(NAMES)}")
