"""Health, readiness, metrics, request limits and the screen page."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.integration.api.conftest import wait_for_bus


async def test_health_and_readiness(client: httpx.AsyncClient, app: FastAPI) -> None:
    await wait_for_bus(app)

    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"redis": True, "sql": True, "nats": True}}


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    await client.get("/api/leaderboards/teams")

    text = (await client.get("/metrics")).text

    assert re.search(
        r'uptake_api_requests_total\{method="GET",route="/api/leaderboards/teams",status="200"\} 1',
        text,
    )


async def test_large_bodies_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/leaderboards/teams", content=b"x" * 200_000)

    assert response.status_code == 413


async def test_screen_speaks_dutch_by_default_and_english_or_french_on_request(
    client: httpx.AsyncClient,
) -> None:
    dutch = await client.get("/screen")
    english = await client.get("/screen?lang=en")
    french = await client.get("/screen?lang=fr")

    assert dutch.status_code == english.status_code == french.status_code == 200
    assert '<html lang="nl">' in dutch.text and '"van de maand"' in dutch.text
    assert '<html lang="en">' in english.text and '"of the month"' in english.text
    assert '<html lang="fr">' in french.text and '"Derniers badges"' in french.text
    assert (await client.get("/screen?lang=de")).status_code == 422


async def test_screen_loads_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    page = (await client.get("/screen")).text
    assets = re.findall(r'(?:href|src)="([^"]+)"', page)

    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        body = (await client.get(asset)).text
        # An XML namespace (the favicon's SVG) names a URI, it loads nothing.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg\b)", body), asset
