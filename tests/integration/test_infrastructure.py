"""The harness itself: streams exist, events round-trip, Redis and SQL answer."""

from __future__ import annotations

from datetime import date

import pytest
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.bus import publish, publish_many
from shared.database import STATEMENTS_KEPT
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity, SignalSource, parse_event
from shared.streams import ALL_STREAMS


def _activity(person: str, day: int) -> CloudEvent[CopilotActivity]:
    data = CopilotActivity(
        person=person,
        app=App.WORD,
        kind=ActivityKind.ACTIVE_DAY,
        date=date(2026, 11, day),
        source=SignalSource.USAGE_REPORT,
    )
    return CloudEvent.wrap(data, source="test")


async def test_streams_are_created(js: JetStreamContext) -> None:
    names = {info.config.name for info in await js.streams_info()}
    assert names == {spec.name for spec in ALL_STREAMS}


async def test_jetstream_drops_a_republished_event(js: JetStreamContext) -> None:
    event = _activity("p-1", 2)
    assert await publish(js, event) is True
    assert await publish(js, _activity("p-1", 2)) is False
    new, duplicates = await publish_many(js, [_activity("p-1", d) for d in (2, 3, 4)])
    assert (new, duplicates) == (2, 1)
    info = await js.stream_info("SIGNALS")
    assert info.state.messages == 3

    sub = await js.pull_subscribe("signals.copilot.activity.*", durable="harness")
    messages = await sub.fetch(3, timeout=5)
    parsed = [parse_event(m.data) for m in messages]
    assert [p.data.date.day for p in parsed] == [2, 3, 4]
    assert messages[0].headers is not None
    assert messages[0].headers["Nats-Msg-Id"] == event.id


async def test_redis_answers(redis: Redis) -> None:
    await redis.set("k", "v")
    assert await redis.get("k") == b"v"


async def test_sql_answers(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1


async def test_sql_connections_are_tuned_for_bulk_batches(engine: AsyncEngine) -> None:
    """PostgreSQL plans each statement afresh; SQLite checkpoints its WAL in large steps."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            mode = (await conn.execute(text("SHOW plan_cache_mode"))).scalar_one()
            assert mode == "force_custom_plan"
        else:
            pages = (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one()
            assert pages == 32768
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"


async def test_sqlite_keeps_few_prepared_statements(engine: AsyncEngine) -> None:
    """Bulk inserts of a new length each batch must not pile up in SQLite's statement cache."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the statement cache is SQLite's driver's")
    async with engine.connect() as conn:
        for rows in range(1, 60):
            sql = "SELECT count(*) FROM (VALUES " + ", ".join(["(?)"] * rows) + ")"
            await conn.exec_driver_sql(sql, tuple(range(rows)))
        kept = (await conn.exec_driver_sql("SELECT count(*) FROM sqlite_stmt")).scalar_one()
    assert kept <= STATEMENTS_KEPT + 1  # the cache, and the statement counting it
