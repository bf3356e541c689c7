"""The gateway's outbox on real NATS JetStream and SQL: announced with the change, or not at all."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.api.outbox import OutboxEvent, OutboxRelay, enqueue
from shared.events import KudosGiven, RecognitionGranted, RecognitionKind, parse_event
from shared.streams import COMMUNITY, SIGNALS

pytestmark = pytest.mark.asyncio


def kudos(n: int) -> KudosGiven:
    return KudosGiven(
        kudos=f"k{n}", giver="p-a", receiver="p-b", value="helpful", date=date(2026, 12, 1)
    )


async def pending(engine: AsyncEngine) -> int:
    async with AsyncSession(engine) as session:
        return int(
            (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar_one()
        )


async def stored(js: JetStreamContext, stream: str) -> int:
    return int((await js.stream_info(stream)).state.messages)


async def eventually(check: Any, attempts: int = 200) -> None:
    for _ in range(attempts):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_committed_events_are_published_in_order_with_their_ids(
    engine: AsyncEngine, nc: Client, js: JetStreamContext
) -> None:
    async with AsyncSession(engine) as session:
        sent = [enqueue(session, kudos(n)) for n in range(5)]
        await session.commit()
    relay = OutboxRelay(engine, nc, batch=2)
    assert await relay.publish_pending() == 2
    assert await relay.publish_pending() == 2
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    assert await pending(engine) == 0
    sub = await js.pull_subscribe("community.kudos", stream=COMMUNITY.name)
    messages = await sub.fetch(5, timeout=2)
    assert [m.headers["Nats-Msg-Id"] for m in messages if m.headers] == [e.id for e in sent]
    assert [parse_event(m.data).data for m in messages] == [kudos(n) for n in range(5)]
    await relay.close()


async def test_a_rolled_back_change_announces_nothing(
    engine: AsyncEngine, nc: Client, js: JetStreamContext
) -> None:
    async with AsyncSession(engine) as session:
        enqueue(session, kudos(1))
        await session.rollback()
    relay = OutboxRelay(engine, nc)
    assert await relay.publish_pending() == 0
    assert await stored(js, COMMUNITY.name) == 0
    await relay.close()


async def test_events_wait_while_nats_is_away_and_go_out_once_it_is_back(
    engine: AsyncEngine, nc: Client, js: JetStreamContext
) -> None:
    current: list[Client | None] = [None]
    relay = OutboxRelay(engine, lambda: current[0])
    grant = RecognitionGranted(
        grant="event:e1:attended:p-a",
        person="p-a",
        kind=RecognitionKind.EVENT_ATTENDED,
        points=20,
        date=date(2026, 12, 1),
        title="Lunch & learn",
    )
    async with AsyncSession(engine) as session:
        enqueue(session, grant)
        await session.commit()
    assert await relay.publish_pending() == 0
    assert await pending(engine) == 1
    current[0] = nc
    assert await relay.publish_pending() == 1
    assert await stored(js, SIGNALS.name) == 1
    await relay.close()


async def test_a_commit_wakes_the_running_relay(
    engine: AsyncEngine, nc: Client, js: JetStreamContext
) -> None:
    relay = OutboxRelay(engine, nc, poll=3600.0)  # only a wake-up can publish in time
    relay.start()
    try:
        async with AsyncSession(engine) as session:
            enqueue(session, kudos(7))
            await session.commit()

        async def published() -> bool:
            return await stored(js, COMMUNITY.name) == 1

        await eventually(published)
        assert await pending(engine) == 0
    finally:
        await relay.close()


async def test_a_republished_row_is_dropped_by_the_duplicate_window(
    engine: AsyncEngine, nc: Client, js: JetStreamContext
) -> None:
    """A replica that stopped between publishing and deleting publishes again: stored once."""
    for _ in range(2):
        async with AsyncSession(engine) as session:
            enqueue(session, kudos(3))
            await session.commit()
    relay = OutboxRelay(engine, nc)
    assert await relay.publish_pending() == 2
    assert await stored(js, COMMUNITY.name) == 1
    await relay.close()
