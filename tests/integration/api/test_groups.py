"""A team's standing: per-capita rank, active rate, and contributions without unwanted names."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.leaderboards import Scope
from shared.periods import Window
from tests.integration.api.conftest import add_people, put_scores, team_of


async def test_team_standing_names_only_opted_in_members(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine
) -> None:
    await add_people(
        engine,
        [*team_of("Alpha", 6, opted=1), *team_of("Beta", 5), *team_of("Tiny", 2)],
    )
    period = "2026-W48"
    await put_scores(redis, Scope.TEAMS, Window.WEEK, period, {"Tiny": 50, "Beta": 9, "Alpha": 4})
    await put_scores(
        redis,
        Scope.PEOPLE,
        Window.WEEK,
        period,
        {"p-alpha-0": 10, "p-alpha-1": 8, "p-alpha-2": 6, "p-beta-0": 45},
    )

    response = await client.get(f"/api/teams/Alpha?window=week&period={period}")

    body = response.json()
    assert body["rank"] == 2  # behind Beta; Tiny is too small to rank
    assert body["points_per_member"] == 4.0
    assert (body["members"], body["active"], body["active_rate"]) == (6, 3, 0.5)
    assert body["named"] == [{"name": "Alpha Member 0", "points": 10.0}]
    assert (body["others"], body["others_points"]) == (2, 14.0)
    assert "p-alpha" not in response.text and "Member 1" not in response.text


async def test_small_or_unknown_groups_are_not_found(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Tiny", 2, department="Small"))

    assert (await client.get("/api/teams/Tiny")).status_code == 404
    assert (await client.get("/api/departments/Small")).status_code == 404
    assert (await client.get("/api/teams/Nobody")).status_code == 404
