"""Leaderboards over real Redis and SQL: privacy rules, per-capita groups, clear 422s."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores, team_of


async def test_people_board_names_only_those_who_opted_in(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    await add_people(
        engine,
        [
            Person(person="p-ann", display_name="Ann Peeters", team="Sales", opted_in=True),
            Person(person="p-bob", display_name="Bob Janssens", team="Sales"),
            Person(person="p-gone", display_name="Gone", removed=True, opted_in=True),
        ],
    )
    await put_scores(
        redis, Scope.PEOPLE, Window.ALL, "all", {"p-bob": 50, "p-ann": 30, "p-gone": 40, "p-x": 10}
    )

    response = await client.get("/api/leaderboards/people", params={"window": "all"})

    assert response.status_code == 200
    body = response.json()
    assert [(e["rank"], e["label"], e["value"]) for e in body["entries"]] == [
        (1, "Colleague #1", 50.0),
        (2, "Ann Peeters", 30.0),
        (3, "Colleague #3", 10.0),
    ]
    assert [e["name"] for e in body["entries"]] == [None, "Ann Peeters", None]
    for secret in ("p-bob", "p-x", "Bob", "p-gone", "Gone"):
        assert secret not in response.text


async def test_people_board_reads_the_current_week(
    client: httpx.AsyncClient, redis: Redis, api_settings: ApiSettings
) -> None:
    week = period_key(Window.WEEK, today(api_settings.tz))
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, {"p-1": 5, "p-2": 7})
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, "2020-W01", {"p-old": 99})

    body = (await client.get("/api/leaderboards/people?window=week")).json()

    assert body["period"] == week
    assert [e["value"] for e in body["entries"]] == [7.0, 5.0]
    past = (await client.get("/api/leaderboards/people?window=week&period=2020-W01")).json()
    assert [e["value"] for e in past["entries"]] == [99.0]


async def test_team_board_hides_small_teams_and_ranks_the_rest(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    await add_people(
        engine,
        [*team_of("Alpha", 6), *team_of("Tiny", 4), *team_of("Beta", 5, department="Finance")],
    )
    await put_scores(
        redis, Scope.TEAMS, Window.MONTH, "2026-11", {"Tiny": 90.5, "Alpha": 12.25, "Beta": 30}
    )

    response = await client.get("/api/leaderboards/teams?window=month&period=2026-11")

    body = response.json()
    assert body["unit"] == "points_per_member"
    assert [(e["rank"], e["label"], e["value"], e["members"]) for e in body["entries"]] == [
        (1, "Beta", 30.0, 5),
        (2, "Alpha", 12.25, 6),
    ]
    assert body["hidden_groups"] == 1
    assert "Tiny" not in response.text


async def test_unlicensed_and_removed_members_do_not_count_towards_group_size(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    members = team_of("Gamma", 6, department="Ops")
    members[0].licensed = False
    members[1].removed = True
    await add_people(engine, [*members, *team_of("Delta", 5, department="Ops")])
    await put_scores(redis, Scope.DEPARTMENTS, Window.ALL, "all", {"Ops": 3.5})
    await put_scores(redis, Scope.TEAMS, Window.ALL, "all", {"Gamma": 8, "Delta": 2})

    teams = (await client.get("/api/leaderboards/teams")).json()
    departments = (await client.get("/api/leaderboards/departments")).json()

    assert [e["label"] for e in teams["entries"]] == ["Delta"]
    assert [(e["label"], e["members"]) for e in departments["entries"]] == [("Ops", 9)]


async def test_limit_cuts_the_board(client: httpx.AsyncClient, redis: Redis) -> None:
    await put_scores(redis, Scope.PEOPLE, Window.ALL, "all", {f"p-{i}": i for i in range(30)})

    body = (await client.get("/api/leaderboards/people?limit=3")).json()

    assert [e["value"] for e in body["entries"]] == [29.0, 28.0, 27.0]


async def test_bad_input_gets_a_clear_422(client: httpx.AsyncClient) -> None:
    cases = {
        "/api/leaderboards/people?window=year": "window",
        "/api/leaderboards/teams?limit=0": "limit",
        "/api/leaderboards/teams?limit=1000": "limit",
        "/api/leaderboards/people?window=week&period=2026-11": "period",
        "/api/leaderboards/people?window=challenge": "period",
    }
    for url, field in cases.items():
        response = await client.get(url)
        assert response.status_code == 422, url
        detail = response.json()["detail"]
        assert detail[0]["loc"] == ["query", field], url
        assert detail[0]["msg"], url


async def test_an_empty_board_is_an_empty_list(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/leaderboards/departments?window=day")).json()

    assert body["entries"] == []
    assert body["window"] == "day"
