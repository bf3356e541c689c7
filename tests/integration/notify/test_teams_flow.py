"""Award event -> outbox -> Teams Workflows webhook on the sandbox, with the real service loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from devtools.servers import free_port
from services.notify import bootstrap
from services.notify.models import OutboxEntry, Status
from shared.bus import publish
from shared.database import session_factory
from shared.people import Person
from shared.settings import NotifySettings
from tests.integration.notify.awards import add_people, badge
from tests.integration.notify.conftest import Sandbox, eventually


@pytest.fixture
async def running(
    notify_settings: Callable[..., NotifySettings],
) -> AsyncIterator[Callable[..., Any]]:
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def start(**overrides: Any) -> asyncio.Event:
        stop = asyncio.Event()
        task = asyncio.create_task(bootstrap.run(notify_settings(**overrides), stop))
        stops.append((stop, task))
        return stop

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_badge_award_is_posted_once_as_an_adaptive_card_envelope(
    js: JetStreamContext, engine: AsyncEngine, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    await add_people(
        engine,
        Person(person="p-anna", display_name="Anna Peeters", team="Finance Ops", opted_in=True),
        Person(person="p-bram", display_name="Bram Claes", team="Finance Ops", opted_in=False),
        # Five in the team: big enough to be mentioned ("Someone in Finance Ops").
        *(Person(person=f"p-finance-{i}", team="Finance Ops") for i in range(3)),
    )
    running()
    event = badge("p-anna", "Explorer")
    await publish(js, event)
    await publish(js, badge("p-bram", "Early bird"))
    await publish(js, event)  # a redelivered fact must not post twice

    async def two_posts() -> bool:
        return len(await sandbox.posts()) >= 2

    await eventually(two_posts)
    posts = await sandbox.posts()
    envelope = posts[0]["envelope"]
    assert set(envelope) == {"type", "attachments"}
    assert envelope["type"] == "message"
    [attachment] = envelope["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"

    texts = [" ".join(b.get("text", "") for b in p["card"]["body"]) for p in posts]
    assert "Anna Peeters" in texts[0] and "Explorer" in texts[0]
    # Bram did not opt in: the card speaks of his team, never his name.
    assert "Bram" not in texts[1] and "Finance Ops" in texts[1] and "Early bird" in texts[1]

    # The sandbox has the posts a moment before the dispatcher commits each mark.
    async def all_marked_sent() -> bool:
        async with session_factory(engine)() as session:
            rows = (await session.exec(select(OutboxEntry))).all()
        return {r.status for r in rows} == {Status.SENT}

    await eventually(all_marked_sent)
    async with session_factory(engine)() as session:
        rows = (await session.exec(select(OutboxEntry))).all()
    assert len(rows) == 2
    assert {r.status for r in rows} == {Status.SENT}
    await asyncio.sleep(0.5)
    assert len(await sandbox.posts()) == 2


async def test_status_endpoint_shows_health_outbox_and_metrics(
    js: JetStreamContext, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    port = free_port()
    running(notify_status_port=port)
    await publish(js, badge("p-1", "Explorer"))

    async def posted() -> bool:
        return len(await sandbox.posts()) == 1

    await eventually(posted)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/readyz")).status_code == 200
        assert (await http.get("/status")).json()["outbox"] == {"teams": {"sent": 1}}
        metrics = (await http.get("/metrics")).text
    assert 'uptake_notify_posts_total{channel="teams",outcome="sent"}' in metrics
