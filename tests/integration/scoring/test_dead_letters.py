"""Poison messages go to dlq.signals with the reason; failures are retried up to max_deliver."""

from __future__ import annotations

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.consumer import ConsumerSettings
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer, Staged
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import TZ, activity, drain, feed


async def dead_letters(js: JetStreamContext, count: int) -> list[tuple[bytes, dict[str, str]]]:
    sub = await js.pull_subscribe("dlq.signals", durable="t-dlq", stream="DLQ")
    messages = await sub.fetch(count, timeout=3)
    return [(m.data, dict(m.headers or {})) for m in messages]


async def test_unparseable_message_is_dead_lettered_and_the_rest_scored(
    js: JetStreamContext, redis: Redis, scorer: Scorer
) -> None:
    await js.publish("signals.copilot.activity", b'{"not": "a cloud event"}')
    await feed(js, [activity("p-a", 2)])
    await drain(js, scorer)
    ((data, headers),) = await dead_letters(js, 1)
    assert data == b'{"not": "a cloud event"}'
    assert headers["Uptake-Reason"].startswith("unparseable")
    assert headers["Uptake-Subject"] == "signals.copilot.activity"
    board = await top(redis, board_key(Scope.PEOPLE, Window.ALL, "all"), 5)
    assert [s.member for s in board] == ["p-a"]


class Broken(Scorer):
    attempts = 0

    async def stage(self, batch: Batch) -> Staged:
        self.attempts += 1
        raise RuntimeError("rule engine exploded")


async def test_failing_message_is_retried_then_dead_lettered(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(js, [activity("p-a", 2)])
    broken = Broken(engine, redis, js, TZ, Rulebook())
    settings = ConsumerSettings(max_deliver=3, fetch_timeout=0.5, nak_delay=0.05)
    consumer = await drain(js, broken, settings)
    for _ in range(5):
        info = await js.consumer_info("SIGNALS", "scoring")
        if not info.num_pending and not info.num_ack_pending:
            break
        await consumer.run(once=True)
    assert broken.attempts == 3
    ((_, headers),) = await dead_letters(js, 1)
    assert headers["Uptake-Reason"] == "RuntimeError: rule engine exploded"
    assert headers["Uptake-Deliveries"] == "3"
