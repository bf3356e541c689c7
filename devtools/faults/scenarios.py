"""The faults, in order of priority, each injected while signals stream in.

A scenario gets a :class:`Session` with its stack's infrastructure up and returns
once the fault is over (the moment recovery is measured from); the suite
streams the signals around it, waits for quiet and checks the invariants.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from devtools.faults import observe
from devtools.faults.session import Session
from shared.cache import create_redis

Fault = Callable[[Session], Awaitable[None]]
DOWN_SECONDS = 2.0  # how long a killed or stopped process stays down


async def mid_batch(session: Session, within: float = 30.0) -> bool:
    """Until scoring holds delivered, unacknowledged messages: a batch in hand."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if (await observe.lag(session.nc, "SIGNALS", "scoring")).unacked:
            return True
        await asyncio.sleep(0.002)
    return False


async def kill_scoring(session: Session) -> None:
    """``kill -9`` of scoring while it holds a batch, started again DOWN_SECONDS later."""
    caught = await mid_batch(session)
    session.stack.scoring.kill()
    session.say("scoring killed (-9)" + (" mid-batch" if caught else ", no batch was in hand"))
    if not caught:
        session.outcome.notes.append("the kill found no batch in hand")
    await asyncio.sleep(DOWN_SECONDS)
    session.stack.scoring.start()
    session.say("scoring started again")


async def restart_nats(session: Session) -> None:
    """nats-server stopped and started again on the same port and store."""
    await asyncio.to_thread(session.stack.nats.stop)
    session.say("nats-server stopped")
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(session.stack.start_nats)
    session.say("nats-server started again on the same store")


async def flush_and_restart_redis(session: Session) -> None:
    """Every Redis key flushed, then the server stopped and started again empty."""
    redis = create_redis(session.stack.redis_url)
    try:
        await redis.flushall()
    finally:
        await redis.aclose()
    session.say("redis flushed")
    await asyncio.to_thread(session.stack.redis.stop)
    session.say("redis stopped")
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(session.stack.start_redis)
    session.say("redis started again, empty")


async def kill_notify(session: Session) -> None:
    """``kill -9`` of notify while a card is on its way to Teams (the webhook holds it)."""
    await session.sandbox.stall_next_post()
    deadline = time.monotonic() + 60
    while (await session.sandbox.state())["stalled"] < 1:
        if time.monotonic() > deadline:
            session.outcome.notes.append("no card was posted within 60s: killed anyway")
            break
        await asyncio.sleep(0.02)
    session.stack.notify.kill()
    session.say("notify killed (-9) with a post in flight")
    await session.sandbox.release()
    await asyncio.sleep(DOWN_SECONDS)
    session.stack.notify.start()
    session.say("notify started again")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    fault: Fault | None  # None: the scenario drives its own flow (see suite)


SCENARIOS = [
    Scenario("scoring-kill", "kill -9 of scoring mid-batch", kill_scoring),
    Scenario("nats-restart", "NATS server stopped and started on the same store", restart_nats),
    Scenario("redis-restart", "Redis flushed and restarted", flush_and_restart_redis),
    Scenario("notify-kill", "kill -9 of notify mid-post", kill_notify),
    Scenario("ingest-kill", "kill -9 of ingest mid-run against the sandbox Graph", None),
    Scenario("postgres-outage", "PostgreSQL stopped for 30 s and started again", None),
    Scenario("backlog", "a backlog published with scoring stopped, then drained", None),
]
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
