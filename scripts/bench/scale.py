"""Latency at scale: `GET /posts?route=` (the same 10 posts) with 1,000 and then 100,000 posts in the table, by
sequential requests, so that the figure is the query's and not a queue's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
import requests
from psycopg2.extras import execute_values

from scripts.bench.load import RequestFactory, median_latency_ms

SMALL_TABLE, LARGE_TABLE = 1_000, 100_000
POSTS_PER_ROUTE = 10  # what one `GET /posts?route=` returns, whatever the table size
LATENCY_SAMPLES = 300


def fill_posts(database_uri: str, total: int, route_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Top the posts table up to `total` rows directly (through the API it would take minutes):
    `POSTS_PER_ROUTE` on `route_id`, and every other route with as many."""
    now = datetime.now(UTC)
    with psycopg2.connect(database_uri) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts")
        existing = cursor.fetchone()[0]
        rows = [
            (
                str(uuid.uuid4()),
                str(route_id if index < POSTS_PER_ROUTE else uuid.UUID(int=index // 10 + 1)),
                str(user_id),
                now + timedelta(days=30),
                now,
                now,
            )
            for index in range(existing, total)
        ]
        execute_values(
            cursor,
            "INSERT INTO posts (id, route_id, user_id, expire_at, created_at, updated_at) VALUES %s",
            rows,
            page_size=5_000,
        )
        cursor.execute("ANALYZE posts")


def route_filter_latency(
    posts_url: str, database_uri: str, auth: dict[str, str], route_id: uuid.UUID, user_id: uuid.UUID
) -> dict[str, object]:
    requests.post(f"{posts_url}/posts/reset", timeout=10).raise_for_status()  # drop what the load runs added
    by_route: RequestFactory = lambda: ("GET", f"{posts_url}/posts?route={route_id}", auth, None)  # noqa: E731
    fill_posts(database_uri, SMALL_TABLE, route_id, user_id)
    small = median_latency_ms(by_route, expect=200, count=LATENCY_SAMPLES)
    fill_posts(database_uri, LARGE_TABLE, route_id, user_id)
    large = median_latency_ms(by_route, expect=200, count=LATENCY_SAMPLES)
    return {"rows": [SMALL_TABLE, LARGE_TABLE], "median_ms": [small, large], "ratio": large / small}
