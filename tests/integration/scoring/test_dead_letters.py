"""Poison messages go to dlq.signals with the reason; failures are retried up to max_deliver."""

from __future__ import annotations

import pytest
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.consumer import ConsumerSettings
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer, Staged, split_by_person
from shared.batches import decode
from shared.bus import EncodedEvent, batched, publish_encoded_many
from shared.events import BadgeAwarded
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import TZ, activity, drain, feed, ledger_rows


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


class OnePersonBreaks(Scorer):
    """Scoring ``p-bad`` always fails: a lane holding them never commits."""

    async def stage(self, batch: Batch) -> Staged:
        if any(e.data.person == "p-bad" for e in batch.activities):
            raise RuntimeError("rule engine exploded on p-bad")
        return await super().stage(batch)


async def test_lanes_that_committed_are_settled_when_another_lane_fails(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("lanes are for PostgreSQL: SQLite writes one transaction at a time")
    events = [activity(f"p-{n}", 2) for n in range(12)] + [activity("p-bad", 2)]
    lanes = split_by_person(Batch(activities=[*events]), 2)
    assert len(lanes) == 2  # the people of the other lane commit, every time
    doomed = next(lane for lane in lanes if any(e.data.person == "p-bad" for e in lane.activities))
    kept = sorted({e.data.person for e in events} - {e.data.person for e in doomed.activities})
    # One batch message for all (a publisher may pack several partitions): it fails whole.
    subject = events[0].data.nats_subject()
    encoded = [EncodedEvent(subject, e.id, e.type, e.to_bytes()) for e in events]
    await publish_encoded_many(js, batched(encoded))

    breaking = OnePersonBreaks(engine, redis, js, TZ, Rulebook(), lanes=2)
    settings = ConsumerSettings(max_deliver=2, fetch_timeout=0.3, nak_delay=0.05)
    consumer = await drain(js, breaking, settings)
    for _ in range(5):
        info = await js.consumer_info("SIGNALS", "scoring")
        if not info.num_pending and not info.num_ack_pending:
            break
        await consumer.run(once=True)

    ((_, headers),) = await dead_letters(js, 1)
    assert headers["Uptake-Reason"] == "RuntimeError: rule engine exploded on p-bad"
    # The committed lane is on the boards, once, although its message came twice...
    points = {r[2]: r[4] for r in await ledger_rows(engine) if r[1] == "points"}
    assert sorted(points) == kept
    board = await top(redis, board_key(Scope.PEOPLE, Window.ALL, "all"), 50)
    assert sorted((s.member, s.value) for s in board) == sorted(points.items())
    # ... and its badges were told.
    sub = await js.pull_subscribe("awards.badge", durable="t-badges", stream="AWARDS")
    told = [e.data for m in await sub.fetch(50, timeout=2) for e in decode(m)[0]]
    assert sorted({b.person for b in told if isinstance(b, BadgeAwarded)}) == kept
