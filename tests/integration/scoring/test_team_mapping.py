"""Team mapping overrides: scoring files people where admins say, boards follow, and undo works."""

from __future__ import annotations

from datetime import datetime

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import mapping
from services.scoring.projection import rebuild
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from shared.events import App, CloudEvent, DirectoryPerson
from shared.people import Person
from tests.integration.scoring.conftest import TZ, activity, drain, feed, person, snapshot_boards

PEOPLE = Person.__table__  # type: ignore[attr-defined]


async def placements(engine: AsyncEngine) -> dict[str, tuple[str | None, str | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(PEOPLE.c.person, PEOPLE.c.team, PEOPLE.c.department))
        return {p: (t, d) for p, t, d in rows}


async def members(redis: Redis, board: str) -> set[str]:
    return {
        m.decode() if isinstance(m, bytes) else str(m) for m in await redis.zrange(board, 0, -1)
    }


async def teams_on_board(redis: Redis) -> set[str]:
    return await members(redis, "lb:teams:all:all")


async def assert_boards_match_the_ledger(engine: AsyncEngine, redis: Redis) -> None:
    live = await snapshot_boards(redis)
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await rebuild(engine, redis, active)
    assert await snapshot_boards(redis) == live


async def test_overrides_refile_people_and_survive_new_directory_facts(
    js: JetStreamContext, redis: Redis, scorer: Scorer, engine: AsyncEngine
) -> None:
    await feed(
        js,
        [
            person("p-a", "Red"),
            person("p-b", "Red"),
            person("p-c", "Blue"),
            activity("p-a", 2, App.WORD),
            activity("p-b", 3, App.EXCEL),
            activity("p-c", 3, App.OUTLOOK),
        ],
    )
    await drain(js, scorer)
    assert await teams_on_board(redis) == {"Red", "Blue"}

    refiled = await mapping.replace(
        engine,
        js,
        [
            mapping.Override("team", "Red", team="Crimson"),
            mapping.Override("person", "p-c", department="Finance"),
        ],
        by="admin",
    )
    await drain(js, scorer)

    assert refiled == 3
    assert await placements(engine) == {
        "p-a": ("Crimson", "Sales"),
        "p-b": ("Crimson", "Sales"),
        "p-c": ("Blue", "Finance"),
    }
    assert await teams_on_board(redis) == {"Crimson", "Blue"}
    assert await members(redis, "lb:departments:all:all") == {
        "Sales",
        "Finance",
    }
    await assert_boards_match_the_ledger(engine, redis)

    # Someone new joins Red in the directory: the override applies to them too.
    joiner = DirectoryPerson(
        person="p-d", team="Red", department="Sales", observed_at=datetime(2026, 11, 20, tzinfo=TZ)
    )
    await feed(js, [CloudEvent.wrap(joiner, source="test")])
    await drain(js, scorer)
    assert (await placements(engine))["p-d"] == ("Crimson", "Sales")
    assert [o.source for o in await mapping.current(engine)] == ["p-c", "Red"]

    assert await mapping.replace(engine, js, [], by="admin") == 4
    await drain(js, scorer)

    assert await placements(engine) == {
        "p-a": ("Red", "Sales"),
        "p-b": ("Red", "Sales"),
        "p-c": ("Blue", "Sales"),
        "p-d": ("Red", "Sales"),
    }
    assert await teams_on_board(redis) == {"Red", "Blue"}
    await assert_boards_match_the_ledger(engine, redis)
