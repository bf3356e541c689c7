"""The minimum flow: signals on JetStream become ledger rows and people/team/department boards."""

from __future__ import annotations

from datetime import UTC, datetime

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.scorer import Scorer
from shared.batches import decode
from shared.events import (
    ActivityKind,
    App,
    BadgeAwarded,
    CloudEvent,
    DirectoryPerson,
    PointsAwarded,
)
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import activity, drain, feed, ledger_rows, person


async def test_signals_become_points_and_boards(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(
        js,
        [
            person("p-a", "Red"),
            person("p-b", "Red"),
            person("p-c", "Blue", "Ops"),
            activity("p-a", 2),
            activity("p-a", 2, App.EXCEL),
            activity("p-b", 2, App.CHAT),
            activity("p-c", 10, App.WORD, ActivityKind.PROMPT, "i-1"),
        ],
    )
    await drain(js, scorer)

    people = await top(redis, board_key(Scope.PEOPLE, Window.ALL, "all"), 10)
    assert [(s.member, s.value) for s in people] == [("p-a", 20.0), ("p-b", 5.0), ("p-c", 3.0)]
    week = await top(redis, board_key(Scope.PEOPLE, Window.WEEK, "2026-W45"), 10)
    assert {s.member for s in week} == {"p-a", "p-b"}
    day = await top(redis, board_key(Scope.PEOPLE, Window.DAY, "2026-11-10"), 10)
    assert [s.member for s in day] == ["p-c"]
    teams = await top(redis, board_key(Scope.TEAMS, Window.MONTH, "2026-11"), 10)
    assert [(s.member, s.value) for s in teams] == [("Red", 12.5), ("Blue", 3.0)]
    departments = await top(redis, board_key(Scope.DEPARTMENTS, Window.ALL, "all"), 10)
    assert [(s.member, s.value) for s in departments] == [("Sales", 12.5), ("Ops", 3.0)]

    rows = await ledger_rows(engine)
    points = [r for r in rows if r[1] == "points"]
    assert sorted(r[4] for r in points) == [3, 5, 10, 10]
    assert {r[5] for r in rows if r[1] == "badge"} >= {"first-word"}

    sub = await js.pull_subscribe("awards.>", durable="t-awards", stream="AWARDS")
    messages = await sub.fetch(50, timeout=2)
    announced = [e.data for m in messages for e in decode(m)[0]]  # points come in batches
    awarded = [a for a in announced if isinstance(a, PointsAwarded)]
    assert sorted(a.points for a in awarded) == [3, 5, 10, 10]
    assert {a.team for a in awarded} == {"Red", "Blue"}
    badges = {(a.person, a.badge) for a in announced if isinstance(a, BadgeAwarded)}
    assert ("p-a", "first-word") in badges


async def test_a_leaver_leaves_the_boards_and_a_mover_takes_points_along(
    js: JetStreamContext, redis: Redis, scorer: Scorer
) -> None:
    await feed(
        js,
        [
            person("p-a", "Red"),
            person("p-b", "Red"),
            person("p-c", "Blue"),
            activity("p-a", 2),
            activity("p-b", 2),
            activity("p-b", 3, App.EXCEL),
            activity("p-c", 2, App.CHAT),
        ],
    )
    await drain(js, scorer)
    teams = board_key(Scope.TEAMS, Window.ALL, "all")
    assert [(s.member, s.value) for s in await top(redis, teams, 5)] == [
        ("Red", 15.0),
        ("Blue", 5.0),
    ]
    later = datetime(2026, 11, 20, tzinfo=UTC)
    leaver = DirectoryPerson(person="p-a", team="Red", removed=True, observed_at=later)
    mover = DirectoryPerson(person="p-b", team="Blue", department="Sales", observed_at=later)
    await feed(js, [CloudEvent.wrap(leaver, source="t"), CloudEvent.wrap(mover, source="t")])
    await drain(js, scorer)
    people = board_key(Scope.PEOPLE, Window.ALL, "all")
    assert [s.member for s in await top(redis, people, 5)] == ["p-b", "p-c"]
    # Red has no licensed members left; Blue has p-b's 20 and p-c's 5 over two members.
    assert [(s.member, s.value) for s in await top(redis, teams, 5)] == [("Blue", 12.5)]
