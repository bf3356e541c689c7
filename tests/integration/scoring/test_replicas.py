"""Scoring replicas that come and go while signals stream in: the ledger and the boards end
as one replica alone leaves them, and as a rebuild from the ledger sets them.

Replicas are consumers in this process, each with its own scorer, board gate and roster
entry, on real NATS JetStream, Redis and PostgreSQL; their heartbeats are quick so that the
partitions move many times in a few seconds. A replica stops gracefully (it leaves the
roster at once) or dies (its batch in hand unacknowledged, its entry left to expire).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import projection, replicas
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from shared.events import ActivityKind, App, CloudEvent, DirectoryPerson
from shared.streams import SIGNALS
from tests.integration.scoring.conftest import (
    TZ,
    activity,
    drain,
    ledger_outcome,
    person,
    publish_as,
    reset,
    snapshot_boards,
)

PEOPLE = [f"r-{n:02d}" for n in range(24)]
TEAMS = {who: (f"T{n % 5}", "Sales" if n % 3 else "Ops") for n, who in enumerate(PEOPLE)}
QUICK = ConsumerSettings(batch_size=20, fetch_timeout=0.2, nak_delay=0.05, ack_wait=3.0)


def workload(seed: int, size: int) -> list[CloudEvent[Any]]:
    """The directory, a move between teams, and ``size`` usage facts of the people."""
    rng = random.Random(seed)
    events: list[CloudEvent[Any]] = [person(who, *TEAMS[who]) for who in PEOPLE]
    moved = DirectoryPerson(
        person=PEOPLE[0], team="T4", department="Ops", observed_at=datetime(2026, 11, 20, tzinfo=TZ)
    )
    events.append(CloudEvent.wrap(moved, source="test"))
    for n in range(size):
        who = rng.choice(PEOPLE)
        day = rng.randrange(2, 28)
        app = rng.choice([App.WORD, App.EXCEL, App.OUTLOOK, App.TEAMS])
        if rng.random() < 0.5:
            events.append(activity(who, day, app))
        else:
            events.append(activity(who, day, app, ActivityKind.PROMPT, f"i-{n}", 8 + n % 10))
    return events


class Mortal(replicas.Roster):
    """A roster entry that a dying replica does not take with it: it expires."""

    dead = False

    async def leave(self) -> None:
        if not self.dead:
            await super().leave()


@dataclass
class Replica:
    consumer: SignalConsumer
    roster: Mortal
    task: asyncio.Task[None]


@dataclass
class Replicas:
    js: JetStreamContext
    redis: Redis
    engine: AsyncEngine
    running: list[Replica] = field(default_factory=list)
    started: int = 0

    def start(self) -> None:
        self.started += 1
        scorer = Scorer(self.engine, self.redis, self.js, TZ, Rulebook(), lanes=2, replicated=True)
        roster = Mortal(self.engine, f"replica-{self.started:02d}", heartbeat=0.2, ttl=1.0)
        consumer = SignalConsumer(self.js, scorer, QUICK, roster)

        async def idle() -> None:
            # Challenges (all over by now) close once every signal is in, as in the clean run.
            await scorer.sync(lead=False)

        task = asyncio.create_task(consumer.run(on_idle=idle))
        self.running.append(Replica(consumer, roster, task))

    async def stop(self, index: int) -> None:
        """Stop gracefully: the batch in hand is settled and acknowledged, the entry left."""
        replica = self.running.pop(index % len(self.running))
        replica.consumer.stop()
        await replica.task
        await replica.consumer.scorer.gate.close()

    async def kill(self, index: int) -> None:
        """Die: nothing in hand is acknowledged, the roster entry expires in its time."""
        replica = self.running.pop(index % len(self.running))
        replica.roster.dead = True
        consumer = replica.consumer

        async def nothing() -> None:
            return None

        # What it staged stays in the ledger; its boards, announcements and acks never come.
        consumer.flush = nothing  # type: ignore[method-assign]
        consumer.finish = nothing  # type: ignore[method-assign]
        replica.task.cancel()
        if consumer._settling is not None:  # a settling in flight dies with it
            consumer._settling[0].cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await replica.task
        await replica.consumer.scorer.gate.close()

    async def settled(self, expected_signals: int, timeout: float = 60.0) -> None:
        """Wait until every signal is in the ledger and the durables in use have nothing
        pending, in hand or to come."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if await self._quiet(expected_signals):
                return
            await asyncio.sleep(0.3)
        outcome, _ = await ledger_outcome(self.engine)
        paid = sum(1 for row in outcome if row[1] == "points")
        durables = {
            info.name: (info.num_pending, info.num_ack_pending)
            for info in await self.js.consumers_info(SIGNALS.name)
        }
        places = [(r.roster.name, r.consumer.assignment, r.consumer.durable) for r in self.running]
        raise AssertionError(
            f"not settled: {paid}/{expected_signals} signals, durables {durables}, {places}"
        )

    async def _quiet(self, expected_signals: int) -> bool:
        outcome, _ = await ledger_outcome(self.engine)
        if sum(1 for row in outcome if row[1] == "points") < expected_signals:
            return False
        durables = {r.consumer.durable for r in self.running}
        if None in durables or len(durables) != len(self.running):
            return False  # a replica between two places
        for name in durables:
            assert name is not None
            info = await self.js.consumer_info(SIGNALS.name, name)
            if info.num_pending or info.num_ack_pending:
                return False
        return True

    async def stop_all(self) -> None:
        while self.running:
            await self.stop(0)


step = st.one_of(
    st.tuples(st.just("start"), st.just(0)),
    st.tuples(st.just("stop"), st.integers(0, 3)),
    st.tuples(st.just("kill"), st.integers(0, 3)),
    st.tuples(st.just("wait"), st.integers(1, 4)),
)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**16), steps=st.lists(step, min_size=3, max_size=8))
async def test_replicas_coming_and_going_leave_the_ledger_and_boards_of_one(
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    scorer: Scorer,  # publishes the rules
    seed: int,
    steps: list[tuple[str, int]],
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share the partitions through PostgreSQL; SQLite has one")
    run = uuid.uuid4().hex  # message ids of this example's own
    events = workload(seed, 400)
    signals = len({e.id for e in events if e.type == "copilot.activity"})

    await reset(engine, redis, js)
    await publish_as(js, events, f"{run}-alone")
    alone = Scorer(engine, redis, js, TZ, Rulebook())
    await drain(js, alone)
    await alone.sync()
    expected = (await ledger_outcome(engine), await snapshot_boards(redis))

    await reset(engine, redis, js)
    group = Replicas(js, redis, engine)
    group.start()
    arrival = list(events)
    random.Random(seed).shuffle(arrival)
    chunks = [arrival[n :: len(steps)] for n in range(len(steps))]
    try:
        for (action, value), chunk in zip(steps, chunks, strict=True):
            # Every fact twice, under message ids of its own: redeliveries for the ledger.
            await publish_as(js, chunk, f"{run}-{action}-1")
            await publish_as(js, chunk[::-1], f"{run}-{action}-2")
            if action == "start" and len(group.running) < 4:
                group.start()
            elif action == "stop" and len(group.running) > 1:
                await group.stop(value)
            elif action == "kill" and len(group.running) > 1:
                await group.kill(value)
            else:
                await asyncio.sleep(0.1 * value)
        await group.settled(signals)
    finally:
        await group.stop_all()
    await Scorer(engine, redis, js, TZ, Rulebook()).sync()  # closes the challenges

    (rows, per_day), boards = await ledger_outcome(engine), await snapshot_boards(redis)
    (clean_rows, clean_per_day), clean_boards = expected
    differing = {k: (boards.get(k), clean_boards.get(k)) for k in {*boards, *clean_boards}}
    assert {k: v for k, v in differing.items() if v[0] != v[1]} == {}, (steps, seed)
    assert sorted(set(rows) - set(clean_rows)) == sorted(set(clean_rows) - set(rows))
    assert {k: v for k, v in per_day.items() if clean_per_day.get(k) != v} == {}
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await projection.rebuild(engine, redis, active)
    assert await snapshot_boards(redis) == expected[1]


async def test_a_new_replica_count_starts_at_the_floor_of_the_old_durables(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("replicas share the partitions through PostgreSQL; SQLite has one")
    await reset(engine, redis, js)
    first = workload(1, 60)
    await publish_as(js, first, "first")
    group = Replicas(js, redis, engine)
    group.start()
    await group.settled(len({e.id for e in first if e.type == "copilot.activity"}))
    floor = (await js.consumer_info(SIGNALS.name, "scoring")).ack_floor.stream_seq

    group.start()
    await group.settled(len({e.id for e in first if e.type == "copilot.activity"}))
    names = sorted(info.name for info in await js.consumers_info(SIGNALS.name))
    try:
        assert names == ["scoring-0-of-2", "scoring-1-of-2"]  # the lone durable retired
        for name in names:
            config = (await js.consumer_info(SIGNALS.name, name)).config
            # Nothing before the floor read again: the old durable had scored it.
            assert config.opt_start_seq == floor + 1
    finally:
        await group.stop_all()
