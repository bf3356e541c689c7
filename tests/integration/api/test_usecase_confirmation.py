""" "I tried this" is confirmed by usage whatever the order of tries, signals and sweeps,
and never pays twice (SQLite, PostgreSQL).

Tries, usage signals (arriving late and shuffled), sweeps with small budgets and a
person listing their tries happen in a random order, some at the same time. After a last
sweep, exactly the people and use cases whose usage falls in a try's window are paid,
once each, with one announcement each.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import library, tries
from services.api.community.background import TrySweep
from services.api.community.transactions import write
from services.api.outbox import OutboxEvent
from services.api.recognition import RecognitionGrant
from shared.events import RecognitionGranted, parse_event

pytestmark = pytest.mark.asyncio

START = date(2027, 3, 1)
TODAY = START + timedelta(days=12)  # every try below is still within the horizon
USE_CASES = {"teams-meeting-recap": "teams", "excel-formula-help": "excel"}
APPS = ["teams", "excel", "word"]

# Few people, apps and days, so that signals often fall on a window's edges.
a_try = st.tuples(st.integers(0, 1), st.sampled_from(sorted(USE_CASES)), st.integers(0, 4))
a_signal = st.tuples(st.integers(0, 1), st.sampled_from(APPS), st.integers(0, 12))


async def use(engine: AsyncEngine, person: str, app: str, day: date) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO scoring_signal (person, event_id, app, kind, day, at, source,"
                " received_at) VALUES (:p, :e, :a, 'active_day', :d, :at, 'usage_report', :at)"
            ),
            {
                "p": person,
                "e": uuid.uuid4().hex,
                "a": app,
                "d": day,
                "at": datetime.combine(day, time(9), UTC),
            },
        )


async def record(engine: AsyncEngine, person: str, use_case: str, day: date) -> None:
    async def work(session: AsyncSession) -> Any:
        return await tries.record(session, person=person, use_case=use_case, today=day)

    await write(engine, work)


def expected(
    people: list[str], made: list[tuple[int, str, int]], used: list[tuple[int, str, int]]
) -> set[tuple[str, str]]:
    return {
        (people[p], use_case)
        for p, use_case, t in made
        for q, app, s in used
        if p == q and app == USE_CASES[use_case] and t <= s <= t + 6
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    made=st.lists(a_try, max_size=8),
    used=st.lists(a_signal, max_size=10),
    edges=st.lists(st.tuples(st.integers(0, 7), st.sampled_from([-1, 0, 6, 7])), max_size=4),
    sweeps=st.lists(st.integers(1, 3), max_size=4),
    listings=st.lists(st.integers(0, 1), max_size=3),
    at_once=st.integers(1, 3),
    rng=st.randoms(use_true_random=False),
)
async def test_confirmation_does_not_depend_on_order_and_pays_once(
    engine: AsyncEngine,
    made: list[tuple[int, str, int]],
    used: list[tuple[int, str, int]],
    edges: list[tuple[int, int]],
    sweeps: list[int],
    listings: list[int],
    at_once: int,
    rng: random.Random,
) -> None:
    # Usage on the edges of tries' windows: the day before, the first and last day, the day after.
    used = used + [
        (made[i % len(made)][0], USE_CASES[made[i % len(made)][1]], made[i % len(made)][2] + k)
        for i, k in edges
        if made and made[i % len(made)][2] + k >= 0
    ]
    await library.seed(engine)
    run = uuid.uuid4().hex[:8]
    people = [f"p-{run}-0", f"p-{run}-1"]
    sweep = TrySweep(engine)
    steps: list[Callable[[], Awaitable[Any]]] = [
        *(partial(record, engine, people[p], u, START + timedelta(days=t)) for p, u, t in made),
        *(partial(use, engine, people[p], app, START + timedelta(days=s)) for p, app, s in used),
        *(partial(sweep.round, TODAY, budget=b) for b in sweeps),
        *(partial(tries.confirm_person, engine, people[p], TODAY) for p in listings),
    ]
    rng.shuffle(steps)
    for start in range(0, len(steps), at_once):
        await asyncio.gather(*(step() for step in steps[start : start + at_once]))
    for _ in range(2):  # a whole pass, whatever the cursor
        await TrySweep(engine).round(TODAY)

    async with AsyncSession(engine) as session:
        paid = (
            await session.exec(
                select(RecognitionGrant).where(col(RecognitionGrant.person).in_(people))
            )
        ).all()
        announced = [
            parse_event(row.body).data for row in (await session.exec(select(OutboxEvent))).all()
        ]
        rows = (
            await session.exec(
                select(tries.UseCaseTry).where(col(tries.UseCaseTry.person).in_(people))
            )
        ).all()
    wanted = expected(people, made, used)
    assert {(g.person, g.grant_id.split(":")[1]) for g in paid} == wanted
    grants_announced = [
        e.grant for e in announced if isinstance(e, RecognitionGranted) and e.person in people
    ]
    assert sorted(grants_announced) == sorted(g.grant_id for g in paid)
    for grant in paid:  # paid for the day of usage that falls in a try's window
        _, use_case, person = grant.grant_id.split(":")
        p = people.index(person)
        assert any(
            START + timedelta(days=t) <= grant.day <= START + timedelta(days=t + 6)
            for q, u, t in made
            if q == p and u == use_case
        )
        assert (p, USE_CASES[use_case], (grant.day - START).days) in set(used)
    for row in rows:
        assert (row.confirmed_on is not None) == ((row.person, row.use_case) in wanted)
