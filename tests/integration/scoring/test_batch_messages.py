"""Signals that arrive as CloudEvents JSON batch messages score exactly like single events."""

from __future__ import annotations

import orjson
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from shared.bus import MSG_ID_HEADER, EncodedEvent, batched, publish_batched, publish_encoded_many
from shared.events import App, CloudEvent
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import (
    RULES,
    TZ,
    activity,
    drain,
    feed,
    ledger_rows,
    person,
    reset,
    snapshot_boards,
)


def scenario() -> list[CloudEvent]:  # type: ignore[type-arg]
    people = [person(f"p-{n}", team=f"t-{n % 3}") for n in range(9)]
    signals = [
        activity(f"p-{n}", day, app)
        for n in range(9)
        for day in (2, 3, 4)
        for app in (App.WORD, App.OUTLOOK)
        if (n + day) % 4
    ]
    return people + signals


async def test_batches_score_as_single_events_do_and_repacking_pays_nothing_twice(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    events = scenario()
    await feed(js, events)
    await drain(js, scorer)
    single_rows = await ledger_rows(engine)
    single_boards = await snapshot_boards(redis)
    assert single_rows and single_boards

    await reset(engine, redis, js)
    assert await publish_batched(js, events, max_events=7) == (len(events), 0)
    info = await js.stream_info("SIGNALS")
    assert info.state.messages < len(events)
    await drain(js, scorer)
    assert await ledger_rows(engine) == single_rows
    assert await snapshot_boards(redis) == single_boards

    # The same events packed differently are mostly new messages, but no new facts.
    new, duplicates = await publish_batched(js, events, max_events=5)
    assert new > 0 and new + duplicates == len(events)
    await drain(js, scorer)
    assert await ledger_rows(engine) == single_rows
    assert await snapshot_boards(redis) == single_boards


async def test_an_unreadable_event_in_a_batch_is_dead_lettered_alone(
    js: JetStreamContext, redis: Redis, scorer: Scorer
) -> None:
    good = [activity("p-a", 2), activity("p-b", 2, App.EXCEL)]
    broken = b'{"specversion": "1.0", "id": "x", "type": "copilot.activity", "data": {}}'
    # One message for all three (on the first person's partition, as a publisher may send).
    subject = good[0].data.nats_subject()
    encoded = [EncodedEvent(subject, e.id, e.type, e.to_bytes()) for e in good]
    encoded.insert(1, EncodedEvent(subject, "x", good[0].type, broken))
    (packed,) = batched(encoded)
    assert packed.held == 3
    await publish_encoded_many(js, [packed])
    await drain(js, scorer)

    board = await top(redis, board_key(Scope.PEOPLE, Window.ALL, "all"), 5)
    assert sorted(s.member for s in board) == ["p-a", "p-b"]
    sub = await js.pull_subscribe("dlq.signals", durable="t-dlq", stream="DLQ")
    (dead,) = await sub.fetch(1, timeout=3)
    assert orjson.loads(dead.data) == orjson.loads(broken)
    assert dead.headers is not None
    assert dead.headers["Uptake-Reason"].startswith("unparseable")
    assert dead.headers[MSG_ID_HEADER].startswith("dlq-")
    consumer = await js.consumer_info("SIGNALS", "scoring")
    assert consumer.num_pending == 0 and consumer.num_ack_pending == 0


async def test_a_batch_that_is_not_an_array_is_dead_lettered_whole(
    js: JetStreamContext, scorer: Scorer
) -> None:
    body = b'{"not": "an array"}'
    packed = EncodedEvent(
        "signals.copilot.activity",
        "b-1",
        "copilot.activity",
        body,
        2,
        "application/cloudevents-batch+json",
    )
    await publish_encoded_many(js, [packed])
    await drain(js, scorer)
    sub = await js.pull_subscribe("dlq.signals", durable="t-dlq", stream="DLQ")
    (dead,) = await sub.fetch(1, timeout=3)
    assert dead.data == body
    assert dead.headers is not None
    assert "array" in dead.headers["Uptake-Reason"]


async def test_a_batch_of_nothing_but_unreadable_events_is_acknowledged(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine
) -> None:
    """Also with lanes: nothing to split is still a batch whose messages get acked."""
    await admin.publish(engine, js, RULES, TZ, by="test")
    scorer = Scorer(engine, redis, js, TZ, Rulebook(), lanes=2)
    broken = b'{"specversion": "1.0", "id": "x", "type": "copilot.activity", "data": {}}'
    (packed,) = batched([EncodedEvent("signals.copilot.activity", "x", "copilot.activity", broken)])
    await publish_encoded_many(js, [packed])
    await drain(js, scorer)

    sub = await js.pull_subscribe("dlq.signals", durable="t-dlq", stream="DLQ")
    (dead,) = await sub.fetch(1, timeout=3)
    assert orjson.loads(dead.data) == orjson.loads(broken)
    consumer = await js.consumer_info("SIGNALS", "scoring")
    assert consumer.num_pending == 0 and consumer.num_ack_pending == 0
