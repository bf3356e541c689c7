"""Order does not matter: check-ins and decisions, in any order, repeated, concurrent, pay the same.

Real SQL (SQLite, and PostgreSQL when TEST_DATABASE_URL is set); each example uses ids of
its own, so examples share one database.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.principal import Principal
from services.api.champions import activities, checkins, codes, events
from services.api.champions.access import ChampionContext
from services.api.champions.errors import Refused
from services.api.champions.store import write
from services.api.champions.tables import Activity, ChampionEvent, Checkin
from services.api.recognition import RecognitionGrant

TZ = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def grants_like(engine: AsyncEngine, prefix: str) -> dict[str, tuple[str, str, int]]:
    async with AsyncSession(engine) as session:
        rows = await session.exec(
            select(RecognitionGrant).where(col(RecognitionGrant.grant_id).startswith(prefix))
        )
        return {g.grant_id: (g.person, g.kind, g.points) for g in rows.all()}


async def new_event(engine: AsyncEngine, host: str) -> ChampionEvent:
    champion = ChampionContext(Principal("user", person=host), host, ("Sales",), False)
    plan = events.Plan(
        title="Prompt-a-thon",
        format="promptathon",
        starts_at=NOW - timedelta(minutes=5),
        ends_at=NOW + timedelta(hours=2),
        departments=("Sales",),
    )
    row, _ = await write(engine, lambda s: events.create(s, champion, str(uuid.uuid4()), plan, NOW))
    return row


# Per attendee (0 is the host): wrong codes typed (under the guessing limit) and check-ins
# with the right code (retries, second scans).
attempts = st.lists(
    st.tuples(st.integers(0, checkins.MAX_FAILURES_PER_EVENT - 1), st.integers(0, 3)),
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(per_person=attempts, seed=st.integers(0, 2**32 - 1), together=st.integers(1, 4))
async def test_check_ins_in_any_order_grant_each_attendee_once_and_the_host_once(
    engine: AsyncEngine, per_person: list[tuple[int, int]], seed: int, together: int
) -> None:
    people = [f"p-{uuid.uuid4().hex[:24]}" for _ in per_person]
    host = people[0]
    event = await new_event(engine, host)
    right = codes.current(event.secret, event.id, NOW).code
    wrong = next(c for c in ("AAAAAA", "BBBBBB") if c != right)
    tries = [
        (person, code)
        for person, (wrongs, rights) in zip(people, per_person, strict=True)
        for code in [wrong] * wrongs + [right] * rights
    ]
    random.Random(seed).shuffle(tries)

    async def attempt(person: str, code: str) -> object:
        try:
            return await write(
                engine,
                lambda s: checkins.check_in(
                    s, event=event.id, person=person, code=code, now=NOW, tz=TZ
                ),
            )
        except Refused as refused:
            return refused

    results: dict[str, set[tuple[str, int]]] = {}
    for start in range(0, len(tries), together):
        batch = tries[start : start + together]
        for (person, _), outcome in zip(
            batch, await asyncio.gather(*(attempt(p, c) for p, c in batch)), strict=True
        ):
            if isinstance(outcome, checkins.Attendance):
                results.setdefault(person, set()).add((outcome.event, outcome.points))

    attendees = {
        person
        for person, (_, rights) in zip(people, per_person, strict=True)
        if rights and person != host
    }
    expected = {checkins.attended_grant(event.id, p): (p, "event_attended", 20) for p in attendees}
    if attendees:
        expected[checkins.hosted_grant(event.id)] = (host, "event_hosted", 40)
    assert await grants_like(engine, f"event:{event.id}:") == expected
    assert set(results) == attendees
    assert all(len(seen) == 1 for seen in results.values())  # the same answer every time
    async with AsyncSession(engine) as session:
        rows = await session.exec(select(Checkin.person).where(col(Checkin.event) == event.id))
        assert set(rows.all()) == attendees


decisions = st.lists(
    st.one_of(st.integers(0, 100), st.none()),  # points to approve with, or None: reject
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(chosen=decisions, seed=st.integers(0, 2**32 - 1), repeats=st.integers(1, 3))
async def test_decisions_in_any_order_and_repeated_give_the_same_grants(
    engine: AsyncEngine, chosen: list[int | None], seed: int, repeats: int
) -> None:
    submitter, admin = f"p-{uuid.uuid4().hex[:24]}", f"p-{uuid.uuid4().hex[:24]}"
    ids = [str(uuid.uuid4()) for _ in chosen]
    report = activities.Report(kind="blog_post", title="Post", day=date(2026, 11, 30))

    async def submit(activity: str) -> None:
        await write(
            engine, lambda s: activities.submit(s, submitter, activity, report, NOW.date(), NOW)
        )

    async def decide(activity: str, points: int | None) -> Activity:
        reason = None if points is not None else "Not about Copilot"
        return await write(
            engine,
            lambda s: activities.decide(
                s,
                activity,
                approve=points is not None,
                points=points,
                reason=reason,
                by=admin,
                now=NOW,
            ),
        )

    for activity in ids:
        await submit(activity)
    calls = [(a, points) for a, points in zip(ids, chosen, strict=True)] * repeats
    random.Random(seed).shuffle(calls)
    for activity, points in calls:
        row = await decide(activity, points)
        assert row.status == ("approved" if points is not None else "rejected")

    found: dict[str, tuple[str, str, int]] = {}
    for activity in ids:
        found |= await grants_like(engine, activities.grant_id(activity))
    assert found == {
        activities.grant_id(a): (submitter, "activity", points)
        for a, points in zip(ids, chosen, strict=True)
        if points is not None
    }
