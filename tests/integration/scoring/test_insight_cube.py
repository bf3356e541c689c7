"""The group cube: equal to a recomputation from the raw signals, the same whether built
week by week as changes come or whole, and rebuilt whole after directory changes and
erasures."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin, privacy
from services.scoring.domain.model import History, Signal
from services.scoring.domain.progress import tier_of
from services.scoring.insights.cube import Window
from services.scoring.insights.refresher import Refresher, prepare
from services.scoring.rulebook import Rulebook
from services.scoring.store import directory, ledger, usage
from shared.events import ActivityKind, App, DirectoryPerson
from shared.insight_tables import ANY_APP, NONE, week_of
from shared.people import Person
from tests.integration.scoring.conftest import RULES, TZ

TODAY = date(2026, 12, 3)  # a Thursday
FIRST = TODAY - timedelta(days=7 * 16)  # some facts fall before the cube's window
APPS = [App.WORD, App.EXCEL, App.TEAMS]
PEOPLE: Any = Person.__table__  # type: ignore[attr-defined]


def signal(person: str, offset: int, app: App, n: int) -> Signal:
    day = FIRST + timedelta(days=offset)
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return Signal(f"{person}-{offset}-{app.value}-{n}", person, app, ActivityKind.PROMPT, day, at)


signals = st.lists(
    st.builds(
        signal,
        st.sampled_from([f"p-{n}" for n in range(8)]),
        st.integers(0, 7 * 16 + 3),
        st.sampled_from(APPS),
        st.integers(0, 30),
    ),
    max_size=120,
    unique_by=lambda s: s.event_id,
)
placement = st.tuples(
    st.sampled_from([None, "Sales", "IT"]),
    st.sampled_from([None, "Analyst", "Engineer"]),
    st.booleans(),  # licensed
    st.booleans(),  # removed
)
directories = st.dictionaries(st.sampled_from([f"p-{n}" for n in range(8)]), placement)


async def store(engine: AsyncEngine, batch: list[Signal]) -> None:
    """As scoring stores a batch: the signals, then the new ones into the rollup."""
    async with engine.begin() as conn:
        new = await ledger.insert_signals(conn, batch, {})
        await usage.add_usage(conn, [s for s in batch if s.event_id in new])


async def place(engine: AsyncEngine, people: dict[str, tuple[Any, Any, bool, bool]]) -> None:
    async with engine.begin() as conn:
        for person, (department, function, licensed, removed) in people.items():
            await conn.execute(
                insert(PEOPLE).values(
                    person=person,
                    department=department,
                    job_function=function,
                    licensed=licensed,
                    removed=removed,
                )
            )


async def empty(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in (
            "scoring_signal",
            "insight_usage_week",
            "scoring_insight_pending",
            "person",
            "insight_week",
            "insight_day",
            "insight_population",
            "insight_segment",
            "insight_recent",
            "insight_recent_days",
            "insight_refresh",
        ):
            await conn.execute(text(f"DELETE FROM {table}"))


def as_day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def cube(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:

        async def rows(sql: str) -> set[tuple[Any, ...]]:
            return {
                tuple(as_day(v) if isinstance(v, str) and v[:2] == "20" else v for v in row)
                for row in await conn.execute(text(sql))
            }

        return {
            "weeks": await rows(
                "SELECT week, department, function, app, people, actions, person_days "
                "FROM insight_week"
            ),
            "days": await rows("SELECT day, department, function, people FROM insight_day"),
            "population": await rows(
                "SELECT department, function, licensed FROM insight_population"
            ),
            "segments": await rows(
                "SELECT department, function, tier, people FROM insight_segment"
            ),
            "recent": await rows(
                "SELECT department, function, app, people, actions FROM insight_recent"
            ),
            "recent_days": await rows(
                "SELECT department, function, bucket, people FROM insight_recent_days"
            ),
        }


async def recomputed(engine: AsyncEngine, today: date) -> dict[str, Any]:
    """The cube worked out naively from scoring_signal and person."""
    async with engine.connect() as conn:
        rules = (await Rulebook().current(conn)).rules
        placed = {
            p: (d or NONE, f or NONE)
            for p, d, f in await conn.execute(
                text(
                    "SELECT person, department, job_function FROM person "
                    "WHERE licensed AND NOT removed"
                )
            )
        }
        facts = [
            (p, as_day(d), a)
            for p, d, a in await conn.execute(text("SELECT person, day, app FROM scoring_signal"))
        ]
    window = Window(today, rules.tiers.weeks)
    weeks = set(window.weeks)
    people: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    actions: dict[tuple[Any, ...], int] = defaultdict(int)
    person_days: dict[tuple[Any, ...], set[tuple[str, date]]] = defaultdict(set)
    days: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    histories: dict[str, History] = defaultdict(History)
    since = today - timedelta(days=27)  # the 28 recent days
    recent_apps: dict[tuple[Any, ...], set[str]] = defaultdict(set)  # group, app -> people
    active_on: dict[str, set[date]] = defaultdict(set)  # person -> recent active days
    for person, day, app in facts:
        if person in placed and since <= day <= today:
            for each in (app, ANY_APP):
                recent_apps[(*placed[person], each)].add(person)
            active_on[person].add(day)
    # A person's actions in an app over the whole ISO weeks the 28 days overlap, when
    # that week holds one of their days in that app inside the 28; "any app" adds the apps.
    recent_actions: dict[tuple[Any, ...], int] = defaultdict(int)
    for person, day, app in facts:
        inside = any(
            (p, a, week_of(d)) == (person, app, week_of(day)) and since <= d <= today
            for p, d, a in facts
        )
        if person in placed and inside:
            for each in (app, ANY_APP):
                recent_actions[(*placed[person], each)] += 1
    for person, day, app in facts:
        if person not in placed:
            continue
        histories[person].add_many(day, App(app), ActivityKind.PROMPT, 1)
        if week_of(day) not in weeks:
            continue
        for each in (app, ANY_APP):
            key = (week_of(day), *placed[person], each)
            people[key].add(person)
            actions[key] += 1
            person_days[key].add((person, day))
        days[(day, *placed[person])].add(person)
    population: dict[tuple[str, str], int] = defaultdict(int)
    segments: dict[tuple[str, str, str], int] = defaultdict(int)
    for person, group in placed.items():
        population[group] += 1
        tier = tier_of(histories[person], rules, window.segments_until).id
        segments[(*group, tier)] += 1
    buckets: dict[tuple[str, str, str], int] = defaultdict(int)
    for person, group in placed.items():
        n = len(active_on[person])
        bucket = "0" if n == 0 else "1-3" if n <= 3 else "4-11" if n <= 11 else "12+"
        buckets[(*group, bucket)] += 1
    return {
        "recent": {(*k, len(v), recent_actions[k]) for k, v in recent_apps.items()},
        "recent_days": {(*k, n) for k, n in buckets.items()},
        "weeks": {(*k, len(v), actions[k], len(person_days[k])) for k, v in people.items()},
        "days": {(*k, len(v)) for k, v in days.items()},
        "population": {(*k, n) for k, n in population.items()},
        "segments": {(*k, n) for k, n in segments.items()},
    }


async def refresher(engine: AsyncEngine, today: date = TODAY) -> Refresher:
    return Refresher(engine, TZ, Rulebook(), clock=lambda: today)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=signals, later=signals, people=directories, today_shift=st.integers(0, 6))
async def test_the_cube_equals_a_recomputation_whether_built_by_changed_weeks_or_whole(
    engine: AsyncEngine,
    redis: Redis,
    first: list[Signal],
    later: list[Signal],
    people: dict[str, tuple[Any, Any, bool, bool]],
    today_shift: int,
) -> None:
    await admin.ensure_published(engine, None, RULES, TZ)
    await prepare(engine)
    await empty(engine)
    today = TODAY + timedelta(days=today_shift)
    await place(engine, people)
    await store(engine, first)
    live = await refresher(engine, today)
    report = await live.refresh()
    assert report is not None and report.full
    assert await cube(engine) == await recomputed(engine, today)

    await store(engine, later)  # and some of the first again: they change nothing
    await store(engine, first[: len(first) // 2])
    report = await live.refresh()
    known = {s.event_id for s in first}
    changed = {week_of(s.day) for s in later if s.event_id not in known}
    changed &= set(Window(today, 12).weeks)
    assert report is None or (not report.full and report.weeks == len(changed))
    by_changed_weeks = await cube(engine)
    assert by_changed_weeks == await recomputed(engine, today)
    await (await refresher(engine, today)).refresh(force=True)
    assert await cube(engine) == by_changed_weeks
    assert await live.refresh() is None  # nothing changed since


async def test_directory_changes_and_erasures_rebuild_the_whole_cube(
    engine: AsyncEngine, redis: Redis
) -> None:
    await admin.ensure_published(engine, None, RULES, TZ)
    await prepare(engine)
    rng = random.Random(3)
    await place(engine, {f"p-{n}": ("Sales", "Analyst", True, False) for n in range(6)})
    facts = [
        signal(f"p-{rng.randrange(6)}", rng.randrange(7 * 16), rng.choice(APPS), n)
        for n in range(300)
    ]
    await store(engine, facts)
    live = await refresher(engine)
    assert (await live.refresh()) is not None
    assert await live.refresh() is None

    observed = datetime.now(UTC)  # newer than the rows placed above
    moved = DirectoryPerson(
        person="p-1", department="IT", job_title="  Data   Engineer ", observed_at=observed
    )
    async with engine.begin() as conn:
        await directory.upsert_people(conn, [moved])
    report = await live.refresh()
    assert report is not None and report.full and report.weeks == 14
    found = await cube(engine)
    assert found == await recomputed(engine, TODAY)
    assert ("IT", "Data Engineer", 1) in found["population"]

    async with engine.begin() as conn:
        await directory.upsert_people(conn, [moved])  # the same fact again: nothing changes
    assert await live.refresh() is None

    await privacy.erase(engine, redis, "p-2", "key", "test")
    report = await live.refresh()
    assert report is not None and report.full
    assert await cube(engine) == await recomputed(engine, TODAY)
    async with engine.connect() as conn:
        left = await conn.execute(
            text("SELECT count(*) FROM insight_usage_week WHERE person = 'p-2'")
        )
        assert left.scalar_one() == 0


async def test_a_new_week_moves_the_window_and_old_weeks_go(engine: AsyncEngine) -> None:
    await prepare(engine)
    await place(engine, {"p-1": ("Sales", None, True, False)})
    await store(engine, [signal("p-1", offset, App.WORD, 0) for offset in range(0, 7 * 16, 3)])
    await (await refresher(engine)).refresh()
    next_week = TODAY + timedelta(days=7)
    report = await (await refresher(engine, next_week)).refresh()
    assert report is not None and report.full
    async with engine.connect() as conn:
        weeks = {as_day(w) for (w,) in await conn.execute(text("SELECT week FROM insight_week"))}
        refreshed = await conn.execute(text("SELECT first_day, last_day FROM insight_refresh"))
        covered = refreshed.one()
    assert min(weeks) >= Window(next_week, 12).first_week
    assert (as_day(covered[0]), as_day(covered[1])) == (Window(next_week, 12).first_week, next_week)


async def test_new_tiers_in_a_published_rule_set_rebuild_the_segments(
    engine: AsyncEngine,
) -> None:
    await admin.ensure_published(engine, None, RULES, TZ)
    await prepare(engine)
    await place(engine, {"p-1": ("Sales", None, True, False)})
    await store(engine, [signal("p-1", offset, App.WORD, 0) for offset in range(90, 112)])
    live = await refresher(engine)
    await live.refresh()
    assert await live.refresh() is None
    stricter = RULES + (
        "tiers:\n  weeks: 4\n  tiers:\n"
        "    - {id: daily, title: Daily, min_active_weeks: 4, min_weekly_actions: 5}\n"
    )
    await admin.publish(engine, None, stricter, TZ, by="test")
    report = await live.refresh()
    assert report is not None and report.full
    found = await cube(engine)
    assert found == await recomputed(engine, TODAY)
    assert {tier for _, _, tier, _ in found["segments"]} <= {"daily", "none"}


async def test_a_new_day_moves_the_recent_days_without_a_full_rebuild(
    engine: AsyncEngine,
) -> None:
    await admin.ensure_published(engine, None, RULES, TZ)
    await prepare(engine)
    await empty(engine)
    await place(
        engine, {"p-1": ("Sales", None, True, False), "p-2": ("IT", "Analyst", True, False)}
    )
    since = TODAY - timedelta(days=27)
    await store(
        engine,
        [signal("p-1", (since - FIRST).days, App.WORD, 0)]  # the first of the 28 days
        + [signal("p-2", (TODAY - FIRST).days - 3, App.EXCEL, n) for n in range(2)],
    )
    live = await refresher(engine)
    await live.refresh()
    assert await cube(engine) == await recomputed(engine, TODAY)
    assert ("Sales", NONE, ANY_APP, 1, 1) in (await cube(engine))["recent"]

    tomorrow = TODAY + timedelta(days=1)  # the same ISO week: p-1's day leaves the 28
    live.clock = lambda: tomorrow
    report = await live.refresh()
    assert report is not None and not report.full and report.weeks == 0
    found = await cube(engine)
    assert found == await recomputed(engine, tomorrow)
    assert ("Sales", NONE, "0", 1) in found["recent_days"]
    assert not any(cell[0] == "Sales" for cell in found["recent"])
    assert await live.refresh() is None
