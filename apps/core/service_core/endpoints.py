"""The endpoints of routes, posts and offers: declared once, built for the profile that an app runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from pydantic import BaseModel
from spectree import Response as Documented
from spectree import SpecTree

from service_core.profiles import Profile, Schema, View
from service_core.validation import validated


@dataclass(frozen=True)
class Endpoint:
    method: str
    rule: str
    view: View
    json: Schema
    query: Schema
    responses: dict[str, type[BaseModel]]  # the endpoint's own; the profile adds its guard's


class ServiceApi:
    """`api = ServiceApi("posts")`, `@api.post("", json=..., HTTP_201=...)` on each view, and one
    `api.blueprint(spec, profile)` per app, which validates, documents and guards them as the profile says."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._endpoints: list[Endpoint] = []

    def route(
        self, method: str, rule: str, *, json: Schema = None, query: Schema = None, **responses: type[BaseModel]
    ) -> Callable[[View], View]:
        def declare(view: View) -> View:
            self._endpoints.append(Endpoint(method, rule, view, json, query, responses))
            return view

        return declare

    def get(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route("GET", rule, **options)

    def post(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route("POST", rule, **options)

    def delete(self, rule: str, **options: Any) -> Callable[[View], View]:
        return self.route("DELETE", rule, **options)

    def blueprint(self, spec: SpecTree, profile: Profile) -> Blueprint:
        blueprint = Blueprint(self.service, self.service, url_prefix=f"/{self.service}")
        for endpoint in self._endpoints:
            # A new Documented each time: spectree binds it to the spec it is given.
            view = validated(
                spec,
                json=profile.pick(endpoint.json),
                query=profile.pick(endpoint.query),
                resp=Documented(**endpoint.responses, **profile.errors),
                tags=[self.service],
                security=profile.security,
            )(endpoint.view)
            guarded = profile.guard(view)  # outside the validation: 403/401 before 400/412
            blueprint.add_url_rule(endpoint.rule, endpoint.view.__name__, guarded, methods=[endpoint.method])
        return blueprint
