"""What the screen shows besides boards: the running challenge (adoption: test_adoption.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.leaderboards import Scope
from shared.periods import Window, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores, team_of

RULESET_TABLE = """
CREATE TABLE IF NOT EXISTS scoring_ruleset (
    version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, body TEXT NOT NULL,
    source TEXT NOT NULL, created_at TIMESTAMP NOT NULL, created_by VARCHAR(200),
    published_at TIMESTAMP, published_by VARCHAR(200), note VARCHAR(500))
"""


async def test_no_challenge_without_a_published_rule_set(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/screen/challenge")

    assert response.status_code == 200
    assert response.json() is None


async def test_the_running_challenge_with_its_team_standings(
    client: httpx.AsyncClient, redis: Redis, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    day = today(api_settings.tz)
    rules = {
        "challenges": [
            {"id": "past", "title": "Old", "start": "2020-01-01", "end": "2020-01-31"},
            {
                "id": "just-over",
                "title": "Autumn sprint",
                "settle_days": 3,
                "start": (day - timedelta(days=20)).isoformat(),
                "end": (day - timedelta(days=1)).isoformat(),
            },
            {
                "id": "winter-sprint",
                "title": "Winter sprint",
                "scope": "team",
                "metric": "points",
                "start": (day - timedelta(days=3)).isoformat(),
                "end": (day + timedelta(days=4)).isoformat(),
            },
        ]
    }
    async with engine.begin() as conn:
        await conn.execute(text(RULESET_TABLE))
        await conn.execute(
            text(
                "INSERT INTO scoring_ruleset (version, name, body, source, created_at, "
                "published_at) VALUES (1, 'r', :body, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"body": json.dumps(rules)},
        )
    await add_people(engine, [*team_of("Alpha", 5), *team_of("Mini", 2)])
    await put_scores(
        redis, Scope.TEAMS, Window.CHALLENGE, "winter-sprint", {"Alpha": 4.5, "Mini": 9}
    )

    body = (await client.get("/api/screen/challenge")).json()

    assert body["id"] == "winter-sprint" and body["title"] == "Winter sprint"
    assert body["metric"] == "points"
    assert body["ends_at"].startswith((day + timedelta(days=5)).isoformat())
    assert [(e["label"], e["value"]) for e in body["board"]["entries"]] == [("Alpha", 4.5)]

    listed = (await client.get("/api/challenges?lang=en")).json()
    assert [(c["id"], c["status"]) for c in listed] == [
        ("winter-sprint", "active"),
        ("just-over", "deciding"),
        ("past", "past"),
    ]
    assert "per licensed member" in listed[0]["rules_in_words"]
    deciding = listed[1]
    assert deciding["decided_on"] == (day + timedelta(days=3)).isoformat()
    assert "Winners are announced on" in deciding["rules_in_words"]
    assert listed[2]["decided_on"] == "2020-02-01"  # no settling days in that rule set
    detail = (await client.get("/api/challenges/winter-sprint")).json()
    assert [e["label"] for e in detail["board"]["entries"]] == ["Alpha"]
    assert (await client.get("/api/challenges/nope")).status_code == 404


async def test_a_challenge_that_never_ends_is_shown_not_a_500(
    client: httpx.AsyncClient, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    day = today(api_settings.tz)
    rules = {
        "challenges": [
            {
                "id": "forever",
                "title": "Always on",
                "settle_days": 3,
                "start": (day - timedelta(days=1)).isoformat(),
                "end": "9999-12-31",
            }
        ]
    }
    async with engine.begin() as conn:
        await conn.execute(text(RULESET_TABLE))
        await conn.execute(
            text(
                "INSERT INTO scoring_ruleset (version, name, body, source, created_at, "
                "published_at) VALUES (1, 'r', :body, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"body": json.dumps(rules)},
        )

    screen = await client.get("/api/screen/challenge")
    listed = await client.get("/api/challenges?lang=en")
    detail = await client.get("/api/challenges/forever?lang=fr")

    assert screen.status_code == 200, screen.text
    assert screen.json()["ends_at"].startswith("9999-12-31T23:59:59")
    assert listed.status_code == 200 and detail.status_code == 200
    [challenge] = listed.json()
    assert challenge["status"] == "active" and challenge["decided_on"] == "9999-12-31"
