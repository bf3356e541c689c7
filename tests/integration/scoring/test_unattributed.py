"""Unattributed report facts: stored apart, never scored, withdrawn by epoch in any order."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.boards import board_keys
from services.scoring.scorer import Scorer
from services.scoring.store import unattributed
from shared.events import (
    App,
    CloudEvent,
    UnattributedActivity,
    UnattributedReason,
    UnattributedRetired,
)
from tests.integration.scoring.conftest import activity, drain, feed, ledger_rows, person

FIRST = date(2026, 11, 2)


def fact(identity: int, app: App, day: int, epoch: int) -> CloudEvent[UnattributedActivity]:
    data = UnattributedActivity(
        report_identity=f"r-{identity:024d}",
        reason=UnattributedReason.CONCEALED if identity % 2 else UnattributedReason.UNKNOWN_USER,
        app=app,
        date=FIRST + timedelta(days=day),
        epoch=epoch,
    )
    return CloudEvent.wrap(data, source="test")


facts = st.builds(
    fact,
    identity=st.integers(0, 6),
    app=st.sampled_from([App.WORD, App.TEAMS, App.CHAT]),
    day=st.integers(0, 9),
    epoch=st.integers(1, 3),
)
Step = CloudEvent[UnattributedActivity] | int  # a fact, or the epoch of a retirement


async def stored(engine: AsyncEngine) -> set[tuple[Any, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                unattributed.FACTS.c.event_id,
                unattributed.FACTS.c.report_identity,
                unattributed.FACTS.c.reason,
                unattributed.FACTS.c.app,
                unattributed.FACTS.c.day,
                unattributed.FACTS.c.epoch,
            )
        )
        return {tuple(row) for row in rows}


async def apply(engine: AsyncEngine, steps: list[Step], sizes: list[int]) -> None:
    """``steps`` in order, cut into transactions of the given sizes (the last takes the rest)."""
    position = 0
    for size in [*sizes, len(steps)]:
        part, position = steps[position : position + size], position + size
        await unattributed.record(
            engine,
            [unattributed.Unattributed(s.id, s.data) for s in part if not isinstance(s, int)],
            [s for s in part if isinstance(s, int)],
        )
        if position >= len(steps):
            return


async def clear(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM scoring_unattributed"))
        await conn.execute(text("DELETE FROM scoring_unattributed_retired"))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    arrivals=st.lists(facts, max_size=40),
    retirements=st.lists(st.integers(1, 3), max_size=3),
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(1, 10), max_size=6),
    repeats=st.floats(0, 0.5),
)
async def test_any_order_repeats_and_batching_leave_the_facts_above_the_last_retirement(
    engine: AsyncEngine,
    arrivals: list[CloudEvent[UnattributedActivity]],
    retirements: list[int],
    seed: int,
    sizes: list[int],
    repeats: float,
) -> None:
    rng = random.Random(seed)
    steps: list[Step] = [*arrivals, *retirements]
    steps += [s for s in steps if rng.random() < repeats]
    rng.shuffle(steps)
    await clear(engine)

    await apply(engine, steps, sizes)

    top = max(retirements, default=0)
    expected = {
        (e.id, e.data.report_identity, e.data.reason.value, e.data.app.value, e.data.date)
        for e in arrivals
        if e.data.epoch > top
    }
    assert {row[:5] for row in await stored(engine)} == expected
    in_order = await stored(engine)
    await clear(engine)
    await apply(engine, [*sorted(retirements), *arrivals], [])
    assert await stored(engine) == in_order


async def test_unattributed_facts_are_never_scored_or_ranked(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    known = [person("p-ann", "Alpha"), activity("p-ann", 16)]
    concealed = [fact(1, App.WORD, 14, 1), fact(3, App.TEAMS, 14, 1), fact(5, App.CHAT, 15, 1)]
    await feed(js, [*known, *concealed])

    await drain(js, scorer)

    assert {row[2] for row in await ledger_rows(engine)} == {"p-ann"}
    async with engine.connect() as conn:
        scored = (await conn.execute(text("SELECT DISTINCT person FROM scoring_signal"))).all()
        people = (await conn.execute(text("SELECT person FROM person"))).all()
    assert [row[0] for row in scored] == ["p-ann"] and [row[0] for row in people] == ["p-ann"]
    for key in await board_keys(redis):
        members = {
            m.decode() if isinstance(m, bytes) else m for m in await redis.zrange(key, 0, -1)
        }
        assert not any(str(m).startswith("r-") for m in members), key
    assert len(await stored(engine)) == 3

    await feed(js, [CloudEvent.wrap(UnattributedRetired(epoch=1), source="test")])
    await feed(js, [fact(7, App.WORD, 16, 1)])  # late, from the withdrawn epoch
    await drain(js, scorer)

    assert await stored(engine) == set()
    assert {row[2] for row in await ledger_rows(engine)} == {"p-ann"}
