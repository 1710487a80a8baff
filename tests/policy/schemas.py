"""Schema validation of rendered objects: built-in kinds with kubernetes-validate, Argo CD kinds with the
openAPIV3Schema of the pinned release's CRDs. Both strict: an unknown field is an error, as it is for
`kubectl apply --validate=strict`."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from kubernetes_validate import utils as kubernetes_validate
from referencing import Registry, Resource

from bootstrap.config import KUBERNETES_VERSION
from tests.support.manifests import Obj, load, ref
from tests.support.shared import shared_dir

ARGOCD_SCHEMAS = shared_dir() / "schemas" / "argo-cd-v3.5.1"
# kubernetes-validate's definitions give the Argo CD objects a strict ObjectMeta (the CRDs say only `object`).
_DEFINITIONS = "kubernetes-json-schema/v{version}-local-strict/_definitions.json"
_OBJECT_META = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

Validators = dict[tuple[str, str], jsonschema.protocols.Validator]
# The Kubernetes the cluster runs (bootstrap/), and the one of the pinned kubectl and kubernetes-validate.
VERSIONS = [KUBERNETES_VERSION.removeprefix("v"), "1.37.0"]

# kubernetes-validate reads its schema files again for every object (1.8 MB of definitions each time):
# read each once, so that validating every variant against two versions stays within a few seconds.
kubernetes_validate.schema_contents = functools.cache(kubernetes_validate.schema_contents)


def kubernetes_violations(docs: list[Obj], versions: list[str]) -> list[str]:
    """What `kubernetes-validate --strict -k VERSION` reports, for each version."""
    found = []
    for doc in docs:
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(item) for item in error.path) or "(root)"
                found.append(f"{ref(doc)}: {path}: {error.message} (Kubernetes {version})")
            except kubernetes_validate.SchemaNotFoundError as error:
                found.append(f"{ref(doc)}: {error.message}")
    return found


def strict(schema: Any) -> Any:
    """The schema with `additionalProperties: false` wherever it lists properties and does not say that
    unknown fields are kept (x-kubernetes-preserve-unknown-fields)."""
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    if "properties" in result:
        result["properties"] = {name: strict(sub) for name, sub in result["properties"].items()}
        if not result.get("x-kubernetes-preserve-unknown-fields"):
            result.setdefault("additionalProperties", False)
    for key in ("items", "additionalProperties"):
        if isinstance(result.get(key), dict):
            result[key] = strict(result[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in result:
            result[key] = [strict(sub) for sub in result[key]]
    return result


def argocd_validators(schema_dir: Path = ARGOCD_SCHEMAS) -> Validators:
    """(apiVersion, kind) -> a strict validator, for every version of every CRD in schema_dir."""
    definitions_file = resources.files("kubernetes_validate").joinpath(
        _DEFINITIONS.format(version=kubernetes_validate.latest_version())
    )
    definitions = json.loads(definitions_file.read_text(encoding="utf-8"))
    registry: Registry = Resource.from_contents(definitions) @ Registry()
    validators: Validators = {}
    for path in sorted(schema_dir.glob("*.yaml")):
        (crd,) = load(path.read_text(encoding="utf-8"))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            schema["properties"]["metadata"] = {"$ref": _OBJECT_META}
            validators[(f"{group}/{version['name']}", kind)] = jsonschema.Draft202012Validator(
                schema, registry=registry
            )
    return validators


def argocd_violations(docs: list[Obj], validators: Validators) -> list[str]:
    found = []
    for doc in docs:
        validator = validators.get((doc.get("apiVersion"), doc.get("kind")))
        if validator is None:
            found.append(f"{ref(doc)}: no CRD schema for {doc.get('apiVersion')} {doc.get('kind')}")
            continue
        for error in sorted(validator.iter_errors(doc), key=lambda error: list(error.path)):
            path = ".".join(str(item) for item in error.path) or "(root)"
            found.append(f"{ref(doc)}: {path}: {error.message}")
    return found
