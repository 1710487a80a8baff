"""A failed sync of the root or a service Application is retried on the newest revision (`retry.refresh`, a field of the
v3.5.1 Application CRD, which test_policy_schemas.py validates strictly): a fix pushed while a sync keeps
failing is picked up by the next retry instead of waiting for the retries of the failed revision to run out."""

from __future__ import annotations

import pytest

from tests.policy import contract
from tests.policy.breaches import Breach
from tests.support.manifests import Obj, of_kind, ref


def retries_without_refresh(docs: list[Obj]) -> list[str]:
    names = (contract.ROOT_APP, *contract.SERVICES)
    apps = [app for app in of_kind(docs, "Application") if app["metadata"]["name"] in names]
    present = {app["metadata"]["name"] for app in apps}
    found = [f"Application/{name}: missing" for name in names if name not in present]
    for app in apps:
        retry = (app["spec"].get("syncPolicy") or {}).get("retry") or {}
        if not retry.get("limit") or retry.get("refresh") is not True:
            found.append(f"{ref(app)}: its sync retry (limit {retry.get('limit')}) must refresh the revision")
    return found


def test_applications_retry_on_the_newest_revision(argocd_docs: list[Obj]) -> None:
    assert retries_without_refresh(argocd_docs) == []


@pytest.mark.parametrize(
    "breach",
    [
        Breach("retry", "Application/users", "no refresh", ("spec", "syncPolicy", "retry", "refresh")),
        Breach("retry", "Application/posts", "no retry at all", ("spec", "syncPolicy", "retry")),
        Breach("retry", "Application/marketplace-root", "root without retry", ("spec", "syncPolicy", "retry")),
    ],
    ids=lambda breach: breach.what,
)
def test_retry_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj]) -> None:
    found = retries_without_refresh(breach.applied_to(argocd_docs))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found
