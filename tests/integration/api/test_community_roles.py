"""Who may write what in the community: anonymous callers, office screens, employees,
champions (of Sales) and admins, for every write endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.api.community_world import Actor, Community, community, new_id  # noqa: F401

pytestmark = pytest.mark.asyncio

ROLES = ("anonymous", "screen", "employee", "champion", "admin")


@dataclass
class Cast:
    community: Community
    headers: dict[str, dict[str, str]]
    actors: dict[str, Actor]
    author: Actor  # a Sales colleague whose stories and kudos the roles act on

    async def call(self, role: str, method: str, url: str, body: Any = None) -> int:
        response = await self.community.client.request(
            method, url, json=body, headers=self.headers[role]
        )
        return response.status_code


@pytest.fixture
async def cast(community: Community) -> Cast:  # noqa: F811
    await community.colleagues("Sales", 5)
    actors = {
        "employee": await community.person("Emma Employee", "Sales"),
        "champion": await community.person("Chris Champion", "Sales"),
        "admin": await community.person("Ada Admin", "Legal", roles=["Admin"]),
    }
    await community.champion(actors["champion"], "Sales")
    screen = await community.display_token()
    headers = {
        "anonymous": {},
        "screen": {"Authorization": f"Bearer {screen}"},
        **{role: actor.headers for role, actor in actors.items()},
    }
    author = await community.person("Ann Author", "Sales")
    return Cast(community, headers, actors, author)


def use_case(department: str | None = None) -> dict[str, Any]:
    text = {"nl": "Titel", "en": "Title", "fr": "Titre"}
    return {
        "department": department,
        "app": "word",
        "kpi": text,
        "title": text,
        "description": text,
        "prompts": {"nl": ["a"], "en": ["b"], "fr": ["c"]},
    }


async def a_story(cast: Cast) -> str:
    story_id = new_id()
    body = {"id": story_id, "app": "excel", "minutes_saved": 10, "text": "Faster reports"}
    answer = await cast.community.client.post(
        "/api/stories", json=body, headers=cast.author.headers
    )
    assert answer.status_code == 201
    return story_id


async def a_use_case(cast: Cast) -> str:
    name = f"uc-{new_id()[:8]}"
    answer = await cast.community.client.post(
        "/api/usecases", json={"id": name, **use_case("Sales")}, headers=cast.headers["admin"]
    )
    assert answer.status_code == 201
    return name


async def give_kudos(cast: Cast, role: str) -> int:
    body = {"id": new_id(), "to": cast.author.person, "value": "helpful", "message": "thanks"}
    return await cast.call(role, "POST", "/api/kudos", body)


async def hide_kudos(cast: Cast, role: str) -> int:
    kudos_id = new_id()
    giver = await cast.community.person(f"Giver {kudos_id[:8]}", "Sales")
    body = {"id": kudos_id, "to": cast.actors["employee"].person, "value": "creative"}
    given = await cast.community.client.post("/api/kudos", json=body, headers=giver.headers)
    assert given.status_code == 201
    return await cast.call(role, "PUT", f"/api/me/kudos/{kudos_id}/hidden", {"hidden": True})


async def submit_story(cast: Cast, role: str) -> int:
    body = {"id": new_id(), "app": "teams", "minutes_saved": 5, "text": "Recap in a minute"}
    return await cast.call(role, "POST", "/api/stories", body)


async def decide_story(cast: Cast, role: str) -> int:
    story = await a_story(cast)
    return await cast.call(role, "POST", f"/api/stories/{story}/decision", {"decision": "approve"})


async def withdraw_story(cast: Cast, role: str) -> int:
    story = await a_story(cast)
    return await cast.call(role, "DELETE", f"/api/stories/{story}")


async def review_queue(cast: Cast, role: str) -> int:
    return await cast.call(role, "GET", "/api/stories/queue")


async def create_use_case(cast: Cast, role: str) -> int:
    body = {"id": f"uc-{new_id()[:8]}", **use_case("Sales")}
    return await cast.call(role, "POST", "/api/usecases", body)


async def edit_use_case(cast: Cast, role: str) -> int:
    name = await a_use_case(cast)
    body = {"version": 1, **use_case("Sales"), "app": "excel"}
    return await cast.call(role, "PUT", f"/api/usecases/{name}", body)


async def delete_use_case(cast: Cast, role: str) -> int:
    name = await a_use_case(cast)
    return await cast.call(role, "DELETE", f"/api/usecases/{name}")


async def tried(cast: Cast, role: str) -> int:
    return await cast.call(role, "POST", "/api/usecases/word-first-draft/tried")


async def make_codes(cast: Cast, role: str) -> int:
    body = {
        "id": new_id(),
        "title": "Quiz",
        "points": 10,
        "count": 2,
        "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }
    return await cast.call(role, "POST", "/api/admin/claim-codes", body)


async def redeem_code(cast: Cast, role: str) -> int:
    body = {
        "id": new_id(),
        "title": "Quiz",
        "points": 10,
        "count": 1,
        "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }
    made = await cast.community.client.post(
        "/api/admin/claim-codes", json=body, headers=cast.headers["admin"]
    )
    return await cast.call(role, "POST", "/api/claims", {"code": made.json()["codes"][0]})


Action = Callable[[Cast, str], Awaitable[int]]
# anonymous, screen, employee, champion of Sales, admin
MATRIX: list[tuple[Action, tuple[int, ...]]] = [
    (give_kudos, (401, 403, 201, 201, 201)),
    (hide_kudos, (401, 403, 200, 404, 404)),  # only the receiver (the employee here)
    (submit_story, (401, 403, 201, 201, 201)),
    (decide_story, (401, 403, 403, 200, 200)),
    (withdraw_story, (401, 403, 404, 404, 200)),  # the author or an admin
    (review_queue, (401, 403, 403, 200, 200)),
    (create_use_case, (401, 403, 403, 201, 201)),
    (edit_use_case, (401, 403, 403, 200, 200)),
    (delete_use_case, (401, 403, 403, 200, 200)),
    (tried, (401, 403, 201, 201, 201)),
    (make_codes, (401, 403, 403, 403, 201)),
    (redeem_code, (401, 403, 200, 200, 200)),
]


@pytest.mark.parametrize(("action", "expected"), MATRIX, ids=[a.__name__ for a, _ in MATRIX])
async def test_role_matrix(cast: Cast, action: Action, expected: tuple[int, ...]) -> None:
    got = tuple([await action(cast, role) for role in ROLES])
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))
