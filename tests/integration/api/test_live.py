"""Screens hear about awards published on JetStream AWARDS, over Server-Sent Events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import uvicorn
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools.servers import free_port
from services.api.app import create_app
from shared.bus import EncodedEvent, batched, publish, publish_encoded_many
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded, RulesPublished
from shared.leaderboards import Scope
from shared.periods import Window
from shared.settings import ApiSettings
from tests.integration.api.conftest import (
    LiveServer,
    add_people,
    put_scores,
    team_of,
    wait_for_bus,
)


def points(person: str, team: str, n: int, key: str) -> CloudEvent[PointsAwarded]:
    award = PointsAwarded(
        person=person,
        rule="active_day",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        team=team,
        ledger_key=key,
        points=n,
    )
    return CloudEvent.wrap(award, source="test")


async def read_events(lines: AsyncIterator[str], wanted: int) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    name = ""
    async for line in lines:
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line.removeprefix("data:").strip())))
            if len(events) == wanted:
                return events
    return events


async def test_an_award_reaches_every_connected_screen(
    live_server: LiveServer, js: JetStreamContext, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Alpha", 5, opted=1))
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as http:

        async def screen() -> list[tuple[str, dict[str, Any]]]:
            async with http.stream("GET", "/api/live") as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                return await read_events(response.aiter_lines(), 2)

        screens = [asyncio.create_task(screen()) for _ in range(3)]
        async with asyncio.timeout(10):
            while len(live_server.app.state.resources.live.fanout) < 3:
                await asyncio.sleep(0.02)
        await publish(js, points("p-alpha-1", "Alpha", 5, "k-1"))
        async with asyncio.timeout(10):
            received = await asyncio.gather(*screens)

    for events in received:
        assert events[0][0] == "hello"
        name, data = events[1]
        assert name == "boards"
        assert data["kind"] == "points" and data["points"] == 5 and data["team"] == "Alpha"
        assert data["name"] is None
        assert "p-alpha-1" not in json.dumps(data)


def encoded(event: CloudEvent[PointsAwarded]) -> EncodedEvent:
    return EncodedEvent(event.data.nats_subject(), event.id, event.type, event.to_bytes())


async def test_a_batch_of_awards_counts_as_its_awards_on_screens_and_in_metrics(
    live_server: LiveServer, js: JetStreamContext, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Alpha", 5, opted=1))
    batch = [points(f"p-alpha-{i % 5}", "Alpha", 2, f"k-batch-{i}") for i in range(40)]
    with_a_bad_one = [points("p-alpha-1", "Alpha", 1, f"k-mixed-{i}") for i in range(2)]
    unreadable = EncodedEvent("awards.points", "bad", "awards.points", b'{"id": "bad"}')
    async with (
        httpx.AsyncClient(base_url=live_server.url, timeout=10) as http,
        http.stream("GET", "/api/live") as response,
    ):
        lines = response.aiter_lines()
        assert (await read_events(lines, 1))[0][0] == "hello"
        await publish_encoded_many(js, batched((encoded(e) for e in batch), max_events=25))
        mixed = [encoded(with_a_bad_one[0]), unreadable, encoded(with_a_bad_one[1])]
        await publish_encoded_many(js, batched(mixed))
        await publish(js, points("p-alpha-2", "Alpha", 3, "k-single"))
        counted = 0
        async with asyncio.timeout(10):
            while counted < 43:
                [(name, data)] = await read_events(lines, 1)
                assert name == "boards" and data["kind"] == "points"
                counted += data["awards"]
        exposed = (await http.get("/metrics")).text

    assert counted == 43
    assert 'uptake_api_awards_total{kind="points"} 43.0' in exposed


async def test_a_badge_is_celebrated_with_the_name_only_when_opted_in(
    live_server: LiveServer, js: JetStreamContext, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Beta", 3, opted=1))
    badge = BadgeAwarded(
        person="p-beta-0",
        rule="first_word",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        team="Beta",
        ledger_key="b-1",
        badge="first-word",
        title="Eerste Word-prompt",
    )
    async with (
        httpx.AsyncClient(base_url=live_server.url, timeout=10) as http,
        http.stream("GET", "/api/live") as response,
    ):
        lines = response.aiter_lines()
        assert (await read_events(lines, 1))[0][0] == "hello"
        await publish(js, CloudEvent.wrap(badge, source="test"))
        async with asyncio.timeout(10):
            events = await read_events(lines, 2)

    kinds = {name: data for name, data in events}
    celebration = kinds["celebration"]
    assert celebration["name"] == "Beta Member 0"
    assert celebration["title"] == "Eerste Word-prompt"
    assert celebration["team"] is None  # Beta has three members: too small to name
    recent = live_server.app.state.resources.live.recent
    assert recent[0]["title"] == "Eerste Word-prompt"


async def test_a_published_rule_set_makes_screens_reload(
    live_server: LiveServer, js: JetStreamContext
) -> None:
    async with (
        httpx.AsyncClient(base_url=live_server.url, timeout=10) as http,
        http.stream("GET", "/api/live") as response,
    ):
        lines = response.aiter_lines()
        assert (await read_events(lines, 1))[0][0] == "hello"
        await publish(js, CloudEvent.wrap(RulesPublished(version=7), source="test"))
        async with asyncio.timeout(10):
            events = await read_events(lines, 1)

    assert events == [("boards", {"kind": "rules"})]


async def test_an_award_drops_cached_boards(
    api_settings: ApiSettings, redis: Redis, js: JetStreamContext, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Alpha", 5))
    settings = api_settings.model_copy(update={"api_board_cache_seconds": 600})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        await wait_for_bus(app)
        await put_scores(redis, Scope.TEAMS, Window.ALL, "all", {"Alpha": 1})
        first = (await http.get("/api/leaderboards/teams")).json()
        await put_scores(redis, Scope.TEAMS, Window.ALL, "all", {"Alpha": 2})
        cached = (await http.get("/api/leaderboards/teams")).json()
        assert first["entries"][0]["value"] == cached["entries"][0]["value"] == 1

        await publish(js, points("p-alpha-0", "Alpha", 1, "k-cache"))
        async with asyncio.timeout(10):
            while (await http.get("/api/leaderboards/teams")).json()["entries"][0]["value"] != 2:
                await asyncio.sleep(0.05)


async def test_streams_past_the_cap_are_told_to_come_back_and_a_closed_one_frees_its_place(
    api_settings: ApiSettings, redis: Redis, nc: object
) -> None:
    settings = api_settings.model_copy(update={"api_live_max_streams": 2})
    application = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(15):
            while not server.started:
                await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            async with contextlib.AsyncExitStack() as open_streams:
                readers = []  # kept: a dropped line reader closes its connection
                for _ in range(2):
                    response = await open_streams.enter_async_context(
                        http.stream("GET", "/api/live")
                    )
                    assert response.status_code == 200
                    readers.append(response.aiter_lines())
                    assert (await read_events(readers[-1], 1))[0][0] == "hello"
                refused = await http.get("/api/live")
                assert refused.status_code == 503
                assert int(refused.headers["retry-after"]) > 0
            async with asyncio.timeout(10):  # both closed: their places come back
                while application.state.resources.live_streams.taken:
                    await asyncio.sleep(0.02)
            async with http.stream("GET", "/api/live") as again:
                assert again.status_code == 200
    finally:
        server.should_exit = True
        await task
