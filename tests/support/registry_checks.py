"""Whether a tree agrees with registry.py: apps/, gitops/, the workflows, the configuration and the docs name
exactly the registry's services, with its ports and its token clients, and no code outside tests lists them again.

Each check is a pure function of a tree (the repository and the contract beside it) and the services it should
hold, returning what disagrees, one sentence each; tests/test_registry.py runs them.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from registry import Service
from scripts.delivery.git_generator import generate

Services = Sequence[Service]
# Folders no check reads: tools, build output, the local stack's data.
PRUNED = {".venv", ".git", "build", ".local", "__pycache__", "node_modules", ".pytest_cache", ".ruff_cache"}
CODE = ("apps", "bootstrap", "scripts")  # where a second list of the services must not be (tests may spell them)
# A URL on a NodePort or a local port: `localhost:30001/users`, `<minikube-ip>:30004/posts`, `192.168.49.2:…`.
SERVICE_URL = re.compile(r"(?:localhost|127\.0\.0\.1|<[^>]+>|\d{1,3}(?:\.\d{1,3}){3}):(\d+)/([\w-]+)")


@dataclass(frozen=True)
class Tree:
    root: Path  # the repository
    operations: Path  # the fixed contract ../shared/contract/operations.md, outside the repository

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.name


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def names(services: Services) -> set[str]:
    return {service.name for service in services}


def compare(where: str, found: Sequence[str], services: Services) -> list[str]:
    """`where` names each service once, and nothing else."""
    problems = [f"{where}: no {name}" for name in sorted(names(services) - set(found))]
    problems += [f"{where}: {name}, which the registry does not list" for name in sorted(set(found) - names(services))]
    problems += [f"{where}: {name} twice" for name in sorted({n for n in found if found.count(n) > 1})]
    return problems


# --- apps/ ------------------------------------------------------------------------------------------------------


def check_apps(tree: Tree, services: Services) -> list[str]:
    """Each service's image, requirements and migrations; every folder with a Dockerfile is a service."""
    apps = tree.root / "apps"
    problems = [
        f"apps/{service.name}/{part} is missing"
        for service in services
        for part in ("Dockerfile", "requirements.txt", f"{service.name}/migrations/env.py")
        if not (apps / service.name / part).is_file()
    ]
    problems += [
        f"apps/{image.parent.name}/ has a Dockerfile, but the registry has no service {image.parent.name}"
        for image in sorted(apps.glob("*/Dockerfile"))
        if image.parent.name not in names(services)
    ]
    return problems


# --- gitops/ ----------------------------------------------------------------------------------------------------


def check_service_kustomizations(tree: Tree, services: Services) -> list[str]:
    """gitops/services/<svc>/ names the service and its nodePort, and takes users-client iff it checks tokens."""
    folder = tree.root / "gitops" / "services"
    problems = [
        f"gitops/services/{path.name}/ is a service the registry does not list"
        for path in sorted(folder.iterdir())
        if path.is_dir() and path.name not in names(services)
    ]
    for service in services:
        path = folder / service.name / "kustomization.yaml"
        where = tree.relative(path)
        if not path.is_file():
            problems.append(f"{where} is missing")
            continue
        document = load(path)
        generators = [g for g in document.get("configMapGenerator", []) if g.get("name") == "service"]
        literals = dict(item.partition("=")[::2] for g in generators for item in g.get("literals", []))
        for key, wanted in (("name", service.name), ("nodePort", str(service.port))):
            if literals.get(key) != wanted:
                problems.append(f"{where}: the `service` literals say {key}={literals.get(key)}, the registry {wanted}")
        uses = any(Path(component).name == "users-client" for component in document.get("components", []))
        if uses != service.checks_tokens:
            verb = "takes" if uses else "does not take"
            problems.append(
                f"{where} {verb} the users-client component, but in the registry {service.name} "
                f"{'checks' if service.checks_tokens else 'does not check'} tokens"
            )
    return problems


def check_environments(tree: Tree, services: Services) -> list[str]:
    """gitops/envs/<env>/<svc>/ for every env and service, on gitops/services/<svc>; Components are no service."""
    envs = sorted(path for path in (tree.root / "gitops" / "envs").iterdir() if path.is_dir())
    problems = [] if envs else ["gitops/envs/ has no environment"]
    for env in envs:
        for folder in sorted(path for path in env.iterdir() if path.is_dir()):
            path = folder / "kustomization.yaml"
            where = tree.relative(path)
            if not path.is_file():
                problems.append(f"{tree.relative(folder)}/ has no kustomization.yaml")
                continue
            document = load(path)
            if document.get("kind") == "Component":  # what the environment's services share (settings/)
                continue
            if folder.name not in names(services):
                problems.append(f"{where} deploys {folder.name}, which the registry does not list")
                continue
            resources = {(folder / resource).resolve() for resource in document.get("resources", [])}
            if (tree.root / "gitops" / "services" / folder.name).resolve() not in resources:
                problems.append(f"{where} does not deploy gitops/services/{folder.name}")
        problems += [
            f"{tree.relative(env)}/{service.name}/kustomization.yaml is missing"
            for service in services
            if not (env / service.name / "kustomization.yaml").is_file()
        ]
    return problems


def cluster_appsets(tree: Tree) -> dict[str, dict[str, Any]]:
    """Cluster name -> the services' ApplicationSet (gitops/argocd/services.yaml) with the folders that
    gitops/clusters/<env>/kustomization.yaml's JSON patch gives its generator."""
    appset = load(tree.root / "gitops" / "argocd" / "services.yaml")
    result = {}
    for kustomization in sorted((tree.root / "gitops" / "clusters").glob("*/kustomization.yaml")):
        ops = [op for patch in load(kustomization).get("patches") or [] for op in yaml.safe_load(patch["patch"])]
        copy = yaml.safe_load(yaml.safe_dump(appset))
        for op in ops:
            if op["path"] == "/spec/generators/0/git/directories":
                copy["spec"]["generators"][0]["git"]["directories"] = op["value"]
        result[kustomization.parent.name] = copy
    return result


def check_argocd_applications(tree: Tree, services: Services) -> list[str]:
    """Each cluster's ApplicationSet makes one Application per service, syncing that service's folder."""
    problems = []
    for env, appset in cluster_appsets(tree).items():
        applications = generate(appset, tree.root)
        where = f"gitops/envs/{env}/ (one Application per folder, gitops/clusters/{env}'s ApplicationSet)"
        problems += compare(where, [app["metadata"]["name"] for app in applications], services)
        for app in applications:
            name, path = app["metadata"]["name"], app["spec"]["source"]["path"]
            if path != f"gitops/envs/{env}/{name}":
                problems.append(f"{where}: {name} syncs {path!r}, not gitops/envs/{env}/{name}")
    return problems


# --- .github/ ---------------------------------------------------------------------------------------------------


def string_lists(node: Any, at: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every list of strings in a YAML document, with where it is (`jobs.build.strategy.matrix.service`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from string_lists(value, f"{at}.{key}" if at else str(key))
    elif isinstance(node, list):
        if node and all(isinstance(item, str) for item in node):
            yield at, node
        for index, item in enumerate(node):
            yield from string_lists(item, f"{at}[{index}]")


def check_workflows(tree: Tree, services: Services) -> list[str]:
    """promote.yml's `service` choice offers every service; any other list that names two services names them all."""
    problems = []
    for path in sorted((tree.root / ".github" / "workflows").glob("*.y*ml")):
        document, where = load(path), tree.relative(path)
        triggers = document.get("on", document.get(True)) or {}  # YAML 1.1 reads a bare `on:` key as True
        dispatch = (triggers.get("workflow_dispatch") or {}) if isinstance(triggers, dict) else {}
        choices = {
            name: spec.get("options", [])
            for name, spec in (dispatch.get("inputs") or {}).items()
            if name.startswith("service") and spec.get("type") == "choice"
        }
        if path.name == "promote.yml" and "service" not in choices:
            problems.append(f"{where} has no `service` choice input")
        for name, options in choices.items():
            problems += compare(f"{where}, input `{name}`", options, services)
        checked = [id(options) for options in choices.values()]
        for at, items in string_lists(document):
            if id(items) not in checked and len(names(services) & set(items)) >= 2:
                problems += compare(f"{where}, {at}", items, services)
    return problems


def check_dependabot(tree: Tree, services: Services) -> list[str]:
    """Dependabot watches the base image of every service's Dockerfile."""
    updates = load(tree.root / ".github" / "dependabot.yml")["updates"]
    docker = [u for u in updates if u.get("package-ecosystem") == "docker"]
    folders = [d for u in docker for d in u.get("directories", [u.get("directory")]) if d]
    where = ".github/dependabot.yml, docker directories"
    problems = [f"{where}: {d}, not a folder /apps/<svc>" for d in folders if not d.startswith("/apps/")]
    return problems + compare(where, [d.removeprefix("/apps/") for d in folders if d.startswith("/apps/")], services)


# --- configuration ----------------------------------------------------------------------------------------------


def check_configuration(tree: Tree, services: Services) -> list[str]:
    """pytest's path holds every service's folder, ruff knows each package, requirements-dev installs each."""
    pyproject = tomllib.loads((tree.root / "pyproject.toml").read_text(encoding="utf-8"))
    path = pyproject["tool"]["pytest"]["ini_options"]["pythonpath"]
    folders = [entry.removeprefix("apps/") for entry in path if entry.startswith("apps/") and entry != "apps/core"]
    problems = compare("pyproject.toml, pytest's pythonpath", folders, services)
    first_party = pyproject["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    problems += [
        f"pyproject.toml, ruff's known-first-party: no {service.name}"
        for service in services
        if service.name not in first_party
    ]
    requirements = (tree.root / "requirements-dev.txt").read_text(encoding="utf-8")
    included = re.findall(r"^-r apps/([\w-]+)/requirements\.txt$", requirements, flags=re.MULTILINE)
    return problems + compare("requirements-dev.txt", [name for name in included if name != "core"], services)


# --- the docs ---------------------------------------------------------------------------------------------------


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Each table as its header row then its body rows, cells stripped (the `|---|` line dropped)."""
    tables, rows = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            tables.append(rows)
            rows = []
    return [[t[0], *t[2:]] for t in tables if len(t) > 1 and set("".join(t[1])) <= set("-: ")]


def check_service_table(where: str, header: list[str], rows: list[list[str]], services: Services) -> list[str]:
    """Every row's ports, URLs, package and `USERS_PATH` column agree with its service's registry entry."""
    by_name = {service.name: service for service in services}
    problems = compare(f"{where}, the table of the services", [row[0].strip("`*") for row in rows], services)
    for row in rows:
        service = by_name.get(row[0].strip("`*"))
        if service is None:
            continue
        ports = [int(port) for cell in row[1:] for port in re.findall(r"\b(\d{5})\b", cell)]
        if not ports:
            problems.append(f"{where}: the row of {service.name} states no port")
        problems += [
            f"{where}: {service.name} on port {port}, the registry {service.port}"
            for port in ports
            if port != service.port
        ]
        for head, cell in zip(header[1:], row[1:], strict=False):
            problems += [
                f"{where}: the {head} of {service.name} is a URL of {other}"
                for other in re.findall(r":\d+/([\w-]+)", cell)
                if other != service.name
            ]
            problems += [
                f"{where}: the package of {service.name} is apps/{folder}/{package}"
                for folder, package in re.findall(r"apps/([\w-]+)/([\w-]+)", cell)
                if (folder, package) != (service.name, service.name)
            ]
            if "USERS_PATH" in head and (cell == "yes") != service.checks_tokens:
                problems.append(
                    f"{where}: {service.name} needs USERS_PATH: {cell!r}, but in the registry it "
                    f"{'checks' if service.checks_tokens else 'does not check'} tokens"
                )
    return problems


def markdown_files(tree: Tree) -> list[Path]:
    found = [tree.operations]
    for folder, subfolders, files in os.walk(tree.root):
        subfolders[:] = sorted(name for name in subfolders if name not in PRUNED)
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".md")]
    return found


def check_docs(tree: Tree, services: Services) -> list[str]:
    """The service tables of operations.md, README and CONTRIBUTING; the label table; every service URL."""
    problems = []
    for path in (tree.operations, tree.root / "README.md", tree.root / "CONTRIBUTING.md"):
        tables = [t for t in markdown_tables(path.read_text(encoding="utf-8")) if t[0][0] == "Service"]
        if not tables:
            problems.append(f"{tree.relative(path)} has no table of the services (first column `Service`)")
        for header, *rows in tables:
            problems += check_service_table(tree.relative(path), header, rows, services)
    contributing = (tree.root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for row in [row for table in markdown_tables(contributing) for row in table[1:]]:
        if row[0] == "`app.kubernetes.io/name`":
            problems += compare(
                "CONTRIBUTING.md, the label app.kubernetes.io/name", re.findall(r"`(\w+)`", row[1]), services
            )
    port_of = {service.name: service.port for service in services}
    name_of = {service.port: service.name for service in services}
    for path in markdown_files(tree):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for port, name in ((int(port), name) for port, name in SERVICE_URL.findall(line)):
                where = f"{tree.relative(path)}:{number}: a URL of {name} on port {port}"
                if name in port_of and port != port_of[name]:
                    problems.append(f"{where}, the registry's port of {name} is {port_of[name]}")
                elif name not in port_of and port in name_of:
                    problems.append(f"{where}, which is the port of {name_of[port]}")
    return problems


# --- code -------------------------------------------------------------------------------------------------------


def check_code(tree: Tree, services: Services) -> list[str]:
    """No code outside tests lists two services again (the one list is registry.py); apps/ never imports it (the
    images do not hold it)."""
    problems = []
    paths = [p for folder in CODE for p in sorted((tree.root / folder).rglob("*.py")) if "__pycache__" not in p.parts]
    for path in paths + [p for p in sorted(tree.root.glob("*.py")) if p.name != "registry.py"]:
        where = tree.relative(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=where)):
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
            if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict) and items:
                listed = [i.value for i in items if isinstance(i, ast.Constant) and i.value in names(services)]
                if len(listed) >= 2:
                    problems.append(
                        f"{where}:{node.lineno}: lists the services {', '.join(listed)} again: "
                        "the one list is registry.py"
                    )
            if where.startswith("apps/") and isinstance(node, ast.Import | ast.ImportFrom):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                if "registry" in modules:
                    problems.append(f"{where}:{node.lineno}: imports registry, which no image holds")
    return problems


CHECKS: tuple[Callable[[Tree, Services], list[str]], ...] = (
    check_apps,
    check_service_kustomizations,
    check_environments,
    check_argocd_applications,
    check_workflows,
    check_dependabot,
    check_configuration,
    check_docs,
    check_code,
)


def disagreements(tree: Tree, services: Services) -> list[str]:
    return [problem for check in CHECKS for problem in check(tree, services)]
