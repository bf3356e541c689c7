"""Duplicated, redelivered and out-of-order input gives the ledger and boards of clean input.

The same scenario is scored twice against real NATS, Redis and SQL: once in
activity order, once shuffled, with every event published twice (under
different message ids, so JetStream's de-duplication cannot help) and with
Redis failing after the ledger commit every few batches (so messages come back
with a higher delivery count). Then Redis is flushed and rebuilt from the ledger.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime
from typing import Any

import pytest
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import projection
from services.scoring.consumer import ConsumerSettings
from services.scoring.domain.boards import BoardDelta
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from shared.events import ActivityKind, App, CloudEvent, DirectoryPerson
from tests.integration.scoring.conftest import (
    TZ,
    activity,
    drain,
    ledger_rows,
    person,
    publish_as,
    reset,
    snapshot_boards,
)


def scenario() -> list[CloudEvent[Any]]:
    rng = random.Random(42)
    teams = {f"p-{i}": ("Red" if i < 4 else "Blue", "Sales" if i < 6 else "Ops") for i in range(7)}
    events: list[CloudEvent[Any]] = [person(p, team, dep) for p, (team, dep) in teams.items()]
    moved = DirectoryPerson(
        person="p-3", team="Blue", department="Sales", observed_at=datetime(2026, 11, 20, tzinfo=TZ)
    )
    events.append(CloudEvent.wrap(moved, source="test"))
    for n in range(260):
        who = f"p-{rng.randrange(8)}"  # p-7 is not in the directory
        day = rng.randrange(2, 28)
        app = rng.choice([App.WORD, App.EXCEL, App.OUTLOOK, App.TEAMS, App.CHAT])
        if rng.random() < 0.5:
            events.append(activity(who, day, app))
        else:
            hour = 8 + rng.randrange(10)
            events.append(activity(who, day, app, ActivityKind.PROMPT, f"i-{n}", hour=hour))
    return events


def activity_order(events: list[CloudEvent[Any]]) -> list[CloudEvent[Any]]:
    def key(event: CloudEvent[Any]) -> tuple[Any, ...]:
        data = event.data
        if isinstance(data, DirectoryPerson):
            return (0, data.observed_at.isoformat(), event.id)
        moment = data.occurred_at or datetime.combine(data.date, datetime.min.time(), tzinfo=TZ)
        return (1, data.date.isoformat(), moment.isoformat(), event.id)

    return sorted(events, key=key)


class FlakyBoards(Scorer):
    """Redis 'fails' after the ledger commit on every third batch."""

    calls = 0

    async def apply_boards(self, delta: BoardDelta) -> None:
        self.calls += 1
        if self.calls % 3 == 0:
            raise ConnectionError("redis went away")
        await super().apply_boards(delta)


async def publish_copies(js: JetStreamContext, events: list[CloudEvent[Any]], copies: int) -> None:
    for copy in range(copies):
        await publish_as(js, events, str(copy))


def ledger_summary(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Keys and per person-day points exactly; badges and levels as sets per person."""
    per_day: dict[tuple[str, Any], int] = defaultdict(int)
    held = set()
    for _key, kind, who, day, points, ref, version in rows:
        if kind == "points":
            per_day[(who, day)] += points
        else:
            held.add((who, kind, ref, version))
    return {"keys": sorted(r[0] for r in rows), "per_day": dict(per_day), "held": held}


async def test_messy_input_gives_the_clean_ledger_and_boards_and_rebuild_reproduces_them(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    events = scenario()
    await publish_copies(js, activity_order(events), copies=1)
    await drain(js, scorer, ConsumerSettings(batch_size=40, fetch_timeout=0.3))
    clean_rows = await ledger_rows(engine)
    clean_boards = await snapshot_boards(redis)
    unique_signals = {e.id for e in events if not isinstance(e.data, DirectoryPerson)}
    assert len([r for r in clean_rows if r[1] == "points"]) == len(unique_signals)
    assert any(r[1] == "badge" for r in clean_rows)
    assert clean_boards["lb:teams:all:all"] and clean_boards["lb:teams:challenge:nov-rate"]

    await reset(engine, redis, js)
    await score_messily(js, engine, redis, events, lanes=1)
    messy_rows = await ledger_rows(engine)
    assert ledger_summary(messy_rows) == ledger_summary(clean_rows)
    assert await snapshot_boards(redis) == clean_boards

    await redis.flushdb()
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await projection.rebuild(engine, redis, active)
    assert await snapshot_boards(redis) == clean_boards


async def test_batches_split_into_concurrent_lanes_give_the_clean_ledger_and_boards(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("lanes are for PostgreSQL: SQLite writes one transaction at a time")
    events = scenario()
    await publish_copies(js, activity_order(events), copies=1)
    await drain(js, scorer, ConsumerSettings(batch_size=40, fetch_timeout=0.3))
    clean_rows = await ledger_rows(engine)
    clean_boards = await snapshot_boards(redis)

    await reset(engine, redis, js)
    await score_messily(js, engine, redis, events, lanes=3)
    assert ledger_summary(await ledger_rows(engine)) == ledger_summary(clean_rows)
    assert await snapshot_boards(redis) == clean_boards


async def score_messily(
    js: JetStreamContext, engine: AsyncEngine, redis: Redis, events: list[Any], lanes: int
) -> None:
    """Shuffled, every event twice, Redis failing now and then: redeliveries."""
    messy = list(events)
    random.Random(5).shuffle(messy)
    await publish_copies(js, messy, copies=2)
    flaky = FlakyBoards(engine, redis, js, TZ, Rulebook(), lanes=lanes)
    consumer_settings = ConsumerSettings(batch_size=25, fetch_timeout=0.3, nak_delay=0.05)
    consumer = await drain(js, flaky, consumer_settings)
    while (await js.consumer_info("SIGNALS", "scoring")).num_pending or (
        await js.consumer_info("SIGNALS", "scoring")
    ).num_ack_pending:
        await consumer.run(once=True)
    assert flaky.calls >= 3  # failures did happen and were redelivered
