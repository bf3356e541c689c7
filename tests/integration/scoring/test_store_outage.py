"""The database unreachable for longer than the retries last: scoring holds the batch in
hand and waits (readiness red), nothing goes to the dead letters, nothing is lost, and an
outage met while idle does not end the consumer.

The outage is simulated at the scorer (every statement fails as on a refused connection);
the fault suite (``devtools.faults``, ``postgres-outage``) stops a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer, Staged
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import TZ, activity, feed, ledger_rows

SETTINGS = ConsumerSettings(max_deliver=2, fetch_timeout=0.2, nak_delay=0.05, ack_wait=3.0)


def refused() -> OperationalError:
    return OperationalError("SELECT 1", None, ConnectionRefusedError("connection refused"))


class Unreachable(Scorer):
    """A scorer whose database refuses every connection while ``down``."""

    down = True
    attempts = 0

    async def stage(self, batch: Batch) -> Staged:
        self.attempts += 1
        if self.down:
            raise refused()
        return await super().stage(batch)

    async def sync(self, lead: bool = True) -> None:
        if self.down:
            raise refused()
        await super().sync(lead)

    async def reachable(self) -> None:
        if self.down:
            raise refused()
        await super().reachable()


@contextlib.asynccontextmanager
async def running(
    consumer: SignalConsumer, on_idle: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(consumer.run(on_idle=on_idle))
    try:
        yield task
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def dead_lettered(js: JetStreamContext) -> int:
    return (await js.stream_info("DLQ")).state.messages


async def test_a_batch_met_by_an_outage_is_held_and_scored_once_the_store_answers(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    people = [f"p-{n}" for n in range(5)]
    await feed(js, [activity(person, 2) for person in people])
    unreachable = Unreachable(engine, redis, js, TZ, Rulebook())
    consumer = SignalConsumer(js, unreachable, SETTINGS)

    async with running(consumer):
        await eventually(lambda: asyncio.sleep(0, unreachable.attempts > 0))
        await asyncio.sleep(1.0)  # many times what max_deliver naks would have taken
        assert not consumer.store_up
        assert await dead_lettered(js) == 0
        # Longer than ack_wait: the held messages are kept from redelivery meanwhile.
        await asyncio.sleep(SETTINGS.ack_wait + 0.5)
        info = await js.consumer_info("SIGNALS", SETTINGS.durable)
        assert info.num_redelivered == 0

        unreachable.down = False

        async def settled() -> bool:
            info = await js.consumer_info("SIGNALS", SETTINGS.durable)
            return consumer.store_up and not info.num_pending and not info.num_ack_pending

        await eventually(settled)

    assert await dead_lettered(js) == 0
    points = {r[2]: r[4] for r in await ledger_rows(engine) if r[1] == "points"}
    assert sorted(points) == people
    board = await top(redis, board_key(Scope.PEOPLE, Window.ALL, "all"), 50)
    assert sorted((s.member, s.value) for s in board) == sorted(points.items())


async def test_an_outage_met_while_idle_does_not_end_the_consumer(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    unreachable = Unreachable(engine, redis, js, TZ, Rulebook())
    consumer = SignalConsumer(js, unreachable, SETTINGS)

    async with running(consumer, on_idle=unreachable.sync) as task:
        await asyncio.sleep(1.0)  # several idle turns, each meeting the outage
        assert not task.done()
        assert not consumer.store_up

        unreachable.down = False
        await feed(js, [activity("p-late", 2)])

        async def scored() -> bool:
            return any(r[2] == "p-late" for r in await ledger_rows(engine))

        await eventually(scored)
        assert consumer.store_up
        assert not task.done()
