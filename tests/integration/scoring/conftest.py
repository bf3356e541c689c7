"""Scoring against real NATS JetStream, Redis and SQL: helpers to feed signals and read results."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin
from services.scoring.boards import board_keys
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from services.scoring.store.ledger import LEDGER
from shared.bus import headers_for, publish_many
from shared.events import (
    ActivityKind,
    App,
    CloudEvent,
    CopilotActivity,
    DirectoryPerson,
    SignalSource,
)

TZ = ZoneInfo("Europe/Brussels")

RULES = """
name: test rules
points:
  per_kind: {active_day: 10, prompt: 3}
  per_app: {chat: {active_day: 5}}
  daily_cap: 20
calendar: {country: BE}
bonuses:
  - id: outlook-week
    title: Outlook week
    start: 2026-11-09
    end: 2026-11-13
    apps: [outlook]
    multiplier: 2
badges:
  - {type: first_use, id: first-word, title: First Word, app: word}
  - {type: explorer, id: explorer-3, title: Explorer, apps: 3}
  - {type: streak, id: streak-3, title: Streak, days: 3}
  - {type: habit, id: habit, title: Habit, days: 4, window: 7}
levels:
  - {level: 1, title: One, points: 0}
  - {level: 2, title: Two, points: 50}
seasons:
  - {id: autumn, title: Autumn, start: 2026-09-01, end: 2026-11-30}
challenges:
  - id: nov-rate
    title: Rate
    scope: team
    metric: active_rate
    start: 2026-11-01
    end: 2026-11-30
    min_size: 1
  - id: nov-apps
    title: Apps
    scope: person
    metric: distinct_apps
    start: 2026-11-01
    end: 2026-11-30
"""


def activity(
    person: str,
    day: int,
    app: App = App.WORD,
    kind: ActivityKind = ActivityKind.ACTIVE_DAY,
    interaction: str | None = None,
    hour: int | None = None,
) -> CloudEvent[CopilotActivity]:
    data = CopilotActivity(
        person=person,
        app=app,
        kind=kind,
        date=date(2026, 11, day),
        occurred_at=None if hour is None else datetime(2026, 11, day, hour, tzinfo=TZ),
        source=SignalSource.INTERACTION_HISTORY if interaction else SignalSource.USAGE_REPORT,
        interaction_id=interaction,
    )
    return CloudEvent.wrap(data, source="test")


def person(pid: str, team: str, department: str = "Sales", **extra: Any) -> CloudEvent[Any]:
    data = DirectoryPerson(
        person=pid,
        team=team,
        department=department,
        observed_at=datetime(2026, 11, 1, 8, tzinfo=TZ),
        **extra,
    )
    return CloudEvent.wrap(data, source="test")


async def feed(js: JetStreamContext, events: Iterable[CloudEvent[Any]]) -> None:
    await publish_many(js, list(events))


async def drain(
    js: JetStreamContext, scorer: Scorer, settings: ConsumerSettings | None = None
) -> SignalConsumer:
    """Run the consumer until the stream has nothing left for it."""
    consumer = SignalConsumer(js, scorer, settings or ConsumerSettings(fetch_timeout=0.3))
    await consumer.run(once=True)
    return consumer


async def snapshot_boards(redis: Redis) -> dict[str, Any]:
    out = {}
    for key in await board_keys(redis):
        out[key] = await redis.zrange(key, 0, -1, withscores=True)
    return out


async def ledger_rows(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                LEDGER.c.key,
                LEDGER.c.kind,
                LEDGER.c.person,
                LEDGER.c.day,
                LEDGER.c.points,
                LEDGER.c.ref,
                LEDGER.c.ruleset_version,
            ).order_by(LEDGER.c.key)
        )
        return [tuple(row) for row in rows]


async def ledger_outcome(
    engine: AsyncEngine,
) -> tuple[list[tuple[Any, ...]], dict[tuple[str, Any], int]]:
    """The ledger as people see it: every row (points rows without their amount) and the
    points per person and day.

    Under a daily cap, which of a day's signals are paid in full and which are capped
    follows the order they arrived in, as a paid row is never rewritten; what each row is,
    and what each person earned each day, does not depend on it.
    """
    rows = await ledger_rows(engine)
    per_day: dict[tuple[str, Any], int] = {}
    for _, kind, person, day, points, _, _ in rows:
        if kind == "points":
            per_day[(person, day)] = per_day.get((person, day), 0) + points
    shown = [
        (key, kind, person, day, None if kind == "points" else points, ref, version)
        for key, kind, person, day, points, ref, version in rows
    ]
    return shown, per_day


@pytest.fixture
async def scorer(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> Scorer:
    await admin.publish(engine, js, RULES, TZ, by="test")
    return Scorer(engine, redis, js, TZ, Rulebook())


async def reset(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> None:
    """Forget every signal, award, person and board, and the consumer's place in the stream."""
    async with engine.begin() as conn:
        for table in (
            "scoring_ledger",
            "scoring_signal",
            "insight_usage_week",
            "scoring_insight_pending",
            "person",
        ):
            await conn.execute(text(f"DELETE FROM {table}"))
        await conn.execute(text("DELETE FROM scoring_replica"))
        await conn.execute(text("DELETE FROM scoring_retired_durable"))
    await redis.flushdb()
    for info in await js.consumers_info("SIGNALS"):  # every replica's durable
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer("SIGNALS", info.name)
    await js.purge_stream("SIGNALS")


async def publish_as(js: JetStreamContext, events: Iterable[CloudEvent[Any]], tag: str) -> None:
    """Publish under message ids of their own (``<event id>-<tag>``), as events packed anew
    are: JetStream's de-duplication cannot drop them, only the consumer's can."""
    acks = []
    for event in events:
        headers = headers_for(event) | {"Nats-Msg-Id": f"{event.id}-{tag}"}
        acks.append(
            await js.publish_async(event.data.nats_subject(), event.to_bytes(), headers=headers)
        )
    for ack in acks:
        await ack
