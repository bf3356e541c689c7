"""An erased person leaves nothing in the community: kudos given and received, stories,
tries, redeemed and guessed codes; others keep their points, not the person's name."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.integration.api.community_world import Community, community, new_id  # noqa: F401

pytestmark = pytest.mark.asyncio

PLACES = {
    "api_kudos": "giver = :p OR receiver = :p",
    "api_story": "author = :p OR decided_by = :p",
    "api_usecase_try": "person = :p",
    "api_claim_code": "redeemed_by = :p",
    "api_claim_guess": "person = :p",
    "api_usecase": "updated_by = :p",
    "api_usecase_version": "changed_by = :p",
    "api_claim_batch": "created_by = :p",
}


async def held(community: Community, person: str) -> dict[str, int]:  # noqa: F811
    async with community.engine.connect() as conn:
        return {
            table: int(
                (
                    await conn.execute(
                        text(f"SELECT COUNT(*) FROM {table} WHERE {where}"),
                        {"p": person},
                    )
                ).scalar_one()
            )
            for table, where in PLACES.items()
        }


async def test_an_erasure_takes_the_person_out_of_the_community(
    community: Community,  # noqa: F811
) -> None:
    await community.colleagues("Sales", 5)
    gone = await community.person("Gina Gone", "Sales", roles=["Admin"])
    other = await community.person("Otto Other", "Sales")
    admin = await community.person("Ada Admin", "Legal", roles=["Admin"])
    client = community.client
    given = new_id()
    for giver, receiver, kudos_id in ((gone, other, given), (other, gone, new_id())):
        kudos = {"id": kudos_id, "to": receiver.person, "value": "helpful", "message": "Thanks"}
        assert (await client.post("/api/kudos", json=kudos, headers=giver.headers)).is_success
    mine, theirs = new_id(), new_id()
    for author, story in ((gone, mine), (other, theirs)):
        sent = {"id": story, "app": "word", "minutes_saved": 5, "text": "A draft"}
        assert (await client.post("/api/stories", json=sent, headers=author.headers)).is_success
    await client.post(
        f"/api/stories/{theirs}/decision", json={"decision": "approve"}, headers=gone.headers
    )
    assert (
        await client.post("/api/usecases/word-first-draft/tried", headers=gone.headers)
    ).is_success
    edit = await client.get("/api/usecases", headers=gone.headers)
    content = {
        k: edit.json()[0]["content"][k] for k in ("app", "kpi", "title", "description", "prompts")
    }
    assert (
        await client.put(
            "/api/usecases/teams-meeting-recap",
            json={"version": 1, **content, "function": "sales"},
            headers=gone.headers,
        )
    ).is_success
    batch = {
        "id": new_id(),
        "title": "Quiz",
        "points": 10,
        "count": 1,
        "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }
    code = (await client.post("/api/admin/claim-codes", json=batch, headers=gone.headers)).json()
    assert (
        await client.post("/api/claims", json={"code": code["codes"][0]}, headers=gone.headers)
    ).is_success
    await client.post("/api/claims", json={"code": "AAAA-AAAA-AAAA"}, headers=gone.headers)
    before = await held(community, gone.person)
    assert all(before.values()), before

    exported = await client.get(f"/api/admin/people/{gone.person}/export", headers=admin.headers)
    body = exported.json()
    assert [k["id"] for k in body["kudos_given"]] == [given]
    assert [s["id"] for s in body["stories"]] == [mine]
    assert len(body["kudos_received"]) == len(body["use_case_tries"]) == len(body["claims"]) == 1
    erased = await client.delete(f"/api/admin/people/{gone.person}", headers=admin.headers)
    assert erased.status_code == 200

    assert await held(community, gone.person) == dict.fromkeys(PLACES, 0)
    grants = await community.grants()
    assert grants[f"kudos:{given}"].person == other.person  # Otto keeps the points
    assert grants[f"kudos:{given}"].granted_by is None
    assert grants[f"story:{theirs}"].granted_by is None
    screen = (await client.get("/api/screen/stories")).json()["stories"]
    assert [s["id"] for s in screen] == [theirs]


async def test_an_erased_authors_unnamed_story_is_withdrawn_from_screens_and_channels(
    community: Community,  # noqa: F811
) -> None:
    """An unnamed story's announcement carries no person id for the stream scrub to find:
    the erasure announces its withdrawal instead (no text), and the screens drop it."""
    await community.colleagues("Sales", 5)
    author = await community.person("Nora Nameless", "Sales")
    champion = await community.person("Ada Admin", "Legal", roles=["Admin"])
    story = new_id()
    sent = {"id": story, "app": "excel", "minutes_saved": 30, "text": "A formula", "named": False}
    client = community.client
    assert (await client.post("/api/stories", json=sent, headers=author.headers)).is_success
    decided = await client.post(
        f"/api/stories/{story}/decision", json={"decision": "approve"}, headers=champion.headers
    )
    assert decided.is_success

    erased = await client.delete(f"/api/admin/people/{author.person}", headers=champion.headers)
    assert erased.json()["erased"]["stories_withdrawn"] == 1

    async with community.engine.connect() as conn:
        bodies = (
            await conn.execute(
                text("SELECT body FROM api_outbox WHERE subject = 'community.story'")
            )
        ).scalars()
        withdrawals = [
            event["data"]
            for event in map(json.loads, bodies)
            if event["data"]["story"] == story and event["data"]["change"] == "removed"
        ]
    assert withdrawals == [{**withdrawals[0], "text": "", "minutes_saved": 0}]
    assert withdrawals[0].get("author") is None
    assert (await client.get("/api/screen/stories")).json()["stories"] == []
