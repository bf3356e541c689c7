"""Success stories over HTTP: submitted, moderated by champions of the department or
admins, shown to colleagues and screens (names only when chosen), withdrawn."""

from __future__ import annotations

from typing import Any

import pytest

from shared.events import RecognitionKind
from tests.integration.api.community_world import Actor, Community, community, new_id  # noqa: F401

pytestmark = pytest.mark.asyncio


def story(**fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "app": "teams",
        "use_case": "teams-meeting-recap",
        "minutes_saved": 30,
        "text": "Copilot wrote the recap of our weekly meeting; I only checked it.",
        "named": True,
        "post_to_engage": False,
    } | fields


async def submit(community: Community, author: Actor, body: dict[str, Any]) -> Any:  # noqa: F811
    return await community.client.post("/api/stories", json=body, headers=author.headers)


async def decide(
    community: Community,  # noqa: F811
    who: Actor,
    story_id: str,
    decision: str,
    reason: str | None = None,
) -> Any:
    return await community.client.post(
        f"/api/stories/{story_id}/decision",
        json={"decision": decision, "reason": reason},
        headers=who.headers,
    )


@pytest.fixture
async def sales(community: Community) -> dict[str, Actor]:  # noqa: F811
    await community.colleagues("Sales", 6)
    await community.colleagues("Legal", 6)
    people = {
        "author": await community.person("Ann Author", "Sales"),
        "champion": await community.person("Chris Champion", "Sales"),
        "legal_champion": await community.person("Lea Legal", "Legal"),
        "admin": await community.person("Ada Admin", "Legal", roles=["Admin"]),
        "colleague": await community.person("Cole League", "Sales"),
    }
    await community.champion(people["champion"], "Sales")
    await community.champion(people["legal_champion"], "Legal")
    return people


async def test_a_story_waits_then_a_champion_of_the_department_approves_it(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    body = story()
    first = await submit(community, sales["author"], body)
    again = await submit(community, sales["author"], body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["status"] == "pending"
    assert first.json()["use_case_title"] is not None
    colleague = sales["colleague"]
    assert (await community.client.get("/api/stories", headers=colleague.headers)).json() == []

    queue = await community.client.get(
        "/api/stories/queue?lang=en", headers=sales["champion"].headers
    )
    assert [s["id"] for s in queue.json()] == [body["id"]]
    assert queue.json()[0]["author"] == "Ann Author"
    other = await community.client.get(
        "/api/stories/queue", headers=sales["legal_champion"].headers
    )
    assert other.json() == []
    refused = await decide(community, sales["legal_champion"], body["id"], "approve")
    assert refused.status_code == 403

    approved = await decide(community, sales["champion"], body["id"], "approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert (await decide(community, sales["champion"], body["id"], "approve")).status_code == 200
    assert (await decide(community, sales["admin"], body["id"], "reject", "no")).status_code == 409

    grants = await community.grants()
    grant = grants[f"story:{body['id']}"]
    assert (grant.person, grant.kind, grant.points) == (
        sales["author"].person,
        RecognitionKind.STORY.value,
        25,
    )
    shown = (await community.client.get("/api/stories", headers=colleague.headers)).json()
    assert [(s["id"], s["author"], s["department"]) for s in shown] == [
        (body["id"], "Ann Author", "Sales")
    ]


async def test_screens_show_the_latest_approved_stories_and_names_only_when_chosen(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    named, unnamed = story(named=True, minutes_saved=20), story(named=False, app="excel")
    for body in (named, unnamed):
        assert (await submit(community, sales["author"], body)).status_code == 201
        assert (await decide(community, sales["admin"], body["id"], "approve")).status_code == 200
    pending = story()
    assert (await submit(community, sales["author"], pending)).status_code == 201
    screen = await community.display_token()
    for headers in ({}, {"Authorization": f"Bearer {screen}"}):
        answer = await community.client.get("/api/screen/stories?lang=fr", headers=headers)
        assert answer.status_code == 200
        stories = answer.json()["stories"]
        assert [(s["id"], s["author"]) for s in stories] == [
            (unnamed["id"], None),
            (named["id"], "Ann Author"),
        ]
        assert set(stories[0]) == {
            "id",
            "app",
            "use_case",
            "use_case_title",
            "minutes_saved",
            "text",
            "author",
            "department",
            "approved_at",
        }
        assert stories[1]["use_case_title"] == "Compte rendu de réunion avec actions dans Teams"


async def test_rejecting_needs_a_reason_and_the_author_reads_it(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    body = story()
    await submit(community, sales["author"], body)
    assert (await decide(community, sales["champion"], body["id"], "reject")).status_code == 422
    rejected = await decide(community, sales["champion"], body["id"], "reject", "Please add detail")
    assert rejected.status_code == 200
    mine = (await community.client.get("/api/me/stories", headers=sales["author"].headers)).json()
    assert [(s["status"], s["reason"]) for s in mine] == [("rejected", "Please add detail")]
    assert await community.grants() == {}


async def test_nobody_decides_on_their_own_story(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    body = story()
    await submit(community, sales["champion"], body)
    assert (await decide(community, sales["champion"], body["id"], "approve")).status_code == 403
    assert (await decide(community, sales["admin"], body["id"], "approve")).status_code == 200


async def test_withdrawing_an_approved_story_revokes_its_points_and_takes_it_off_screens(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    body = story()
    await submit(community, sales["author"], body)
    await decide(community, sales["champion"], body["id"], "approve")
    url = f"/api/stories/{body['id']}"
    assert (
        await community.client.delete(url, headers=sales["colleague"].headers)
    ).status_code == 404
    gone = await community.client.delete(url, headers=sales["author"].headers)
    assert gone.json()["status"] == "withdrawn"
    assert (await community.client.delete(url, headers=sales["author"].headers)).status_code == 200
    assert (await community.client.get("/api/screen/stories")).json()["stories"] == []
    grant = (await community.grants())[f"story:{body['id']}"]
    assert grant.revoked_at is not None


async def test_an_admin_may_withdraw_any_story(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    body = story()
    await submit(community, sales["author"], body)
    gone = await community.client.delete(
        f"/api/stories/{body['id']}", headers=sales["admin"].headers
    )
    assert gone.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    "fields",
    [
        {"minutes_saved": 0},
        {"minutes_saved": 481},
        {"text": ""},
        {"text": "x" * 601},
        {"app": "notepad"},
        {"use_case": "Not An Id"},
    ],
)
async def test_invalid_stories_are_422(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
    fields: dict[str, Any],
) -> None:
    assert (await submit(community, sales["author"], story(**fields))).status_code == 422


async def test_an_unknown_use_case_is_404(community: Community, sales: dict[str, Actor]) -> None:  # noqa: F811
    response = await submit(community, sales["author"], story(use_case="no-such-use-case"))
    assert response.status_code == 404


async def test_minutes_saved_per_department_hide_small_departments(
    community: Community,  # noqa: F811
    sales: dict[str, Actor],
) -> None:
    tiny = await community.person("Tim Tiny", "Board")
    for author, minutes in ((sales["author"], 30), (sales["colleague"], 45), (tiny, 60)):
        body = story(minutes_saved=minutes, named=False)
        await submit(community, author, body)
        await decide(community, sales["admin"], body["id"], "approve")
    reader = await community.person("Iris Insights", "Sales", roles=["Insights.Read"])
    insight = await community.client.get("/api/insights/minutes-saved", headers=reader.headers)
    assert insight.status_code == 200
    assert [
        (d["department"], d["stories"], d["minutes_saved"]) for d in insight.json()["departments"]
    ] == [("Sales", 2, 75)]
    assert insight.json()["hidden_groups"] == 1
    employee = await community.client.get(
        "/api/insights/minutes-saved", headers=sales["colleague"].headers
    )
    assert employee.status_code == 403
    assert (await community.client.get("/api/insights/minutes-saved")).status_code == 401
    screen = (await community.client.get("/api/screen/stories")).json()["stories"]
    assert {s["department"] for s in screen} == {"Sales", None}
