"""The insight rollup's first level equals a GROUP BY over the stored signals, however
they arrive: in any order, in any batches, with repeats, and after a rebuild."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin
from services.scoring.insights.rebuild import rebuild, rebuild_people
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer
from services.scoring.signals import Activity, to_signal
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity, SignalSource
from shared.insight_tables import week_of, weekday_bit
from tests.integration.scoring.conftest import RULES, TZ

START = date(2026, 10, 26)  # a Monday: facts fall in three ISO weeks and a bit
PEOPLE = ["p-1", "p-2", "p-3", "p-4"]
APPS = [App.WORD, App.EXCEL, App.TEAMS]


def event(person: str, offset: int, app: App, kind: ActivityKind, n: int) -> CloudEvent[Any]:
    day = START + timedelta(days=offset)
    data = CopilotActivity(
        person=person,
        app=app,
        kind=kind,
        date=day,
        occurred_at=None,
        source=SignalSource.INTERACTION_HISTORY,
        interaction_id=f"{person}-{offset}-{app.value}-{kind.value}-{n}",
    )
    return CloudEvent.wrap(data, source="test")


facts = st.lists(
    st.builds(
        event,
        st.sampled_from(PEOPLE),
        st.integers(0, 23),
        st.sampled_from(APPS),
        st.sampled_from([ActivityKind.PROMPT, ActivityKind.ACTIVE_DAY]),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=50,
    unique_by=lambda e: e.id,
)


def expected(events: list[CloudEvent[Any]]) -> dict[tuple[str, date, str], tuple[int, int]]:
    """The rollup computed from the distinct facts, by hand."""
    actions: Counter[tuple[str, date, str]] = Counter()
    masks: dict[tuple[str, date, str], int] = {}
    for e in {e.id: e for e in events}.values():
        signal = to_signal(e, TZ)
        key = (signal.person, week_of(signal.day), signal.app.value)
        actions[key] += 1
        masks[key] = masks.get(key, 0) | weekday_bit(signal.day)
    return {key: (actions[key], masks[key]) for key in actions}


async def rollup(engine: AsyncEngine) -> dict[tuple[str, date, str], tuple[int, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person, week, app, actions, days FROM insight_usage_week")
        )
        return {
            (p, w if isinstance(w, date) else date.fromisoformat(w), a): (n, d)
            for p, w, a, n, d in rows
        }


async def grouped_signals(engine: AsyncEngine) -> dict[tuple[str, date, str], tuple[int, int]]:
    """The GROUP BY over scoring_signal the rollup must equal."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person, day, app, count(*) FROM scoring_signal GROUP BY person, day, app")
        )
        out: dict[tuple[str, date, str], tuple[int, int]] = {}
        for person, day, app, count in rows:
            day = day if isinstance(day, date) else date.fromisoformat(day)
            key = (person, week_of(day), app)
            actions, mask = out.get(key, (0, 0))
            out[key] = (actions + int(count), mask | weekday_bit(day))
        return out


async def empty(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in ("scoring_signal", "scoring_ledger", "insight_usage_week"):
            await conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
async def scorer(engine: AsyncEngine, redis: Redis) -> Scorer:
    await admin.ensure_published(engine, None, RULES, TZ)
    lanes = 2 if engine.dialect.name == "postgresql" else 1
    return Scorer(engine, redis, None, TZ, Rulebook(), lanes=lanes)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=facts,
    seed=st.integers(0, 2**32 - 1),
    batches=st.integers(1, 6),
    repeats=st.floats(0, 0.6),
)
async def test_the_rollup_equals_the_stored_signals_grouped_in_any_order_and_batching(
    engine: AsyncEngine,
    scorer: Scorer,
    events: list[CloudEvent[Any]],
    seed: int,
    batches: int,
    repeats: float,
) -> None:
    await empty(engine)
    rng = random.Random(seed)
    arrival: list[Activity] = [*events, *(e for e in events if rng.random() < repeats)]
    rng.shuffle(arrival)
    size = -(-len(arrival) // batches)
    for start in range(0, len(arrival), size):
        await scorer.stage_all(Batch(activities=list(arrival[start : start + size])))
    # A whole batch delivered again (committed but never acknowledged) changes nothing.
    await scorer.stage_all(Batch(activities=arrival[: size + 1]))

    found = await rollup(engine)
    assert found == expected(events)
    assert found == await grouped_signals(engine)


async def test_a_rebuild_from_the_signals_gives_the_same_rollup_and_can_be_repeated(
    engine: AsyncEngine, scorer: Scorer
) -> None:
    rng = random.Random(7)
    events = [
        event(rng.choice(PEOPLE), rng.randrange(24), rng.choice(APPS), ActivityKind.PROMPT, n)
        for n in range(200)
    ]
    events = list({e.id: e for e in events}.values())
    await scorer.stage_all(Batch(activities=list[Activity](events)))
    kept = await rollup(engine)
    assert kept == expected(events)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE insight_usage_week SET actions = actions + 5"))
        await conn.execute(text("DELETE FROM insight_usage_week WHERE person = 'p-2'"))
    await rebuild_people(engine, ["p-1", "p-2"])  # an interrupted rebuild: first chunk done
    await rebuild_people(engine, ["p-1", "p-2"])  # run again: redone, not added twice
    await rebuild_people(engine, ["p-3", "p-4"])
    assert await rollup(engine) == kept
    async with engine.connect() as conn:
        weeks = await conn.execute(
            text("SELECT count(*) FROM scoring_insight_pending WHERE week IS NOT NULL")
        )
        assert weeks.scalar_one() > 0  # the cube is told which weeks to take in again


async def test_the_rebuild_command_recomputes_the_rollup_and_builds_the_cube(
    engine: AsyncEngine, scorer: Scorer
) -> None:
    events = [event(f"p-{n % 3}", n % 20, APPS[n % 3], ActivityKind.PROMPT, n) for n in range(60)]
    await scorer.stage_all(Batch(activities=list[Activity](events)))
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM insight_usage_week"))  # as before the rollup
    lines: list[str] = []

    report = await rebuild(engine, TZ, lines.append, chunk=2)

    assert await rollup(engine) == expected(events)
    assert [line.split(",")[0] for line in lines] == [
        "2/3 people",  # a chunk per transaction, each said when done
        "3/3 people",
        "building the cube",
    ]
    assert report is not None and report.full and report.weeks == 14
    async with engine.connect() as conn:
        built = await conn.execute(text("SELECT count(*) FROM insight_refresh"))
        assert built.scalar_one() == 1
