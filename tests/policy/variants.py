"""The variants the policy tests render and check.

A variant is one environment with one combination of the opt-in components of gitops/components/
(`minikube`, `minikube+ephemeral-database`, `minikube+isolated`, ...): every combination is one.
"""

from __future__ import annotations

from scripts.delivery import render

VARIANTS = [
    "+".join([env.name, *(component.name for component in combination)])
    for env in render.environments()
    for combination in render.component_sets(render.optional_components())
]
