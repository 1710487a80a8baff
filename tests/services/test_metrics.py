"""Prometheus metrics scraped from a real gunicorn (several workers, multiprocess mode) after traffic."""

from __future__ import annotations

import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families


def scrape(url: str) -> dict[str, list]:
    response = requests.get(f"{url}/users/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def value(samples: list, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for sample in samples
        if sample.name == name and all(sample.labels.get(key) == wanted for key, wanted in labels.items())
    )


def test_requests_latency_and_pool_are_counted_across_workers(users_server: str) -> None:
    before = scrape(users_server)
    name = f"metrics-{uuid.uuid4().hex[:8]}"
    body = {"username": name, "password": "pw", "email": f"{name}@example.com"}
    for _ in range(10):  # enough requests to reach both workers
        requests.get(f"{users_server}/users/ping", timeout=5)
    assert requests.post(f"{users_server}/users", json=body, timeout=5).status_code == 201
    assert requests.post(f"{users_server}/users", json=body, timeout=5).status_code == 412
    after = scrape(users_server)

    def grew(name: str, by: float, **labels: str) -> bool:
        previous = value(before.get(name.removesuffix("_total").removesuffix("_count"), []), name, **labels)
        current = value(after[name.removesuffix("_total").removesuffix("_count")], name, **labels)
        return current - previous >= by

    assert grew("http_requests_total", 10, endpoint="/users/ping", status="200", method="GET")
    assert grew("http_requests_total", 1, endpoint="/users", status="201", method="POST")
    assert grew("http_requests_total", 1, endpoint="/users", status="412", method="POST")
    assert grew("http_request_duration_seconds_count", 12)
    assert "db_pool_connections_in_use" in after
    assert value(after["db_pool_size"], "db_pool_size", service="users") > 0
