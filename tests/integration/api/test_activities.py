"""Manual activities: submitted by anyone, decided by an admin, revoked through the ledger."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from tests.integration.api.champion_world import Actor, World, clock, grants, world

__all__ = ["clock", "world"]


def activity(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "blog_post",
        "title": "Five prompts for month-end closing",
        "date": world.clock.now.date().isoformat(),
        "link": "https://intranet.example.com/blog/month-end",
        "description": "A post on the intranet",
        **changes,
    }


async def submitted(world: World, who: Actor, **changes: Any) -> dict[str, Any]:
    response = await world.client.post(
        "/api/activities", json=activity(world, **changes), headers=who.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_approved_activity_pays_and_a_revoked_one_shows_it(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    writer = await world.actor("Wanda Writer", "Finance")

    body = activity(world)
    first = await client.post("/api/activities", json=body, headers=writer.headers)
    again = await client.post("/api/activities", json=body, headers=writer.headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "pending"

    queue = (await client.get("/api/admin/activities", headers=admin.headers)).json()
    assert [(a["id"], a["name"], a["department"]) for a in queue] == [
        (body["id"], "Wanda Writer", "Finance")
    ]

    decision = f"/api/admin/activities/{body['id']}/decision"
    too_much = await client.post(
        decision, json={"approve": True, "points": 101}, headers=admin.headers
    )
    assert too_much.status_code == 422
    approved = await client.post(
        decision, json={"approve": True, "points": 80}, headers=admin.headers
    )
    assert approved.status_code == 200 and approved.json()["points"] == 80
    same = await client.post(decision, json={"approve": True, "points": 80}, headers=admin.headers)
    assert same.status_code == 200 and same.json() == approved.json()
    other = await client.post(
        decision, json={"approve": False, "reason": "Changed my mind"}, headers=admin.headers
    )
    assert other.status_code == 409
    assert await grants(world.engine) == {
        f"activity:{body['id']}": (writer.person, "activity", 80, False)
    }
    assert (await client.get("/api/admin/activities", headers=admin.headers)).json() == []

    async with AsyncSession(world.engine) as session, session.begin():
        await recognition.revoke(
            session,
            grant=f"activity:{body['id']}",
            reason="Duplicate post",
            revoked_by=admin.person,
        )
    (mine,) = (await client.get("/api/activities", headers=writer.headers)).json()
    assert mine["status"] == "approved" and mine["revoked"] is True
    assert mine["revoke_reason"] == "Duplicate post"


async def test_rejections_need_a_reason_and_nobody_decides_their_own(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    writer = await world.actor("Wanda Writer", "Finance")
    mine = await submitted(world, admin, kind="training_given", title="Copilot 101")
    theirs = await submitted(world, writer)

    own = await client.post(
        f"/api/admin/activities/{mine['id']}/decision",
        json={"approve": True},
        headers=admin.headers,
    )
    assert own.status_code == 403
    decision = f"/api/admin/activities/{theirs['id']}/decision"
    no_reason = await client.post(decision, json={"approve": False}, headers=admin.headers)
    assert no_reason.status_code == 422
    rejected = await client.post(
        decision, json={"approve": False, "reason": "Not about Copilot"}, headers=admin.headers
    )
    assert rejected.json()["status"] == "rejected"
    seen = (await client.get("/api/activities", headers=writer.headers)).json()
    assert [(a["status"], a["reason"], a["points"]) for a in seen] == [
        ("rejected", "Not about Copilot", None)
    ]
    assert await grants(world.engine) == {}
    missing = f"/api/admin/activities/{uuid.uuid4()}/decision"
    assert (
        await client.post(missing, json={"approve": True}, headers=admin.headers)
    ).status_code == 404


async def test_the_rule_sets_offer_is_paid_when_no_points_are_given(world: World) -> None:
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    writer = await world.actor("Wanda Writer", "Finance")
    made = await submitted(world, writer)
    decided = await world.client.post(
        f"/api/admin/activities/{made['id']}/decision",
        json={"approve": True},
        headers=admin.headers,
    )
    assert decided.json()["points"] == 50


async def test_activities_are_validated(world: World) -> None:
    writer = await world.actor("Wanda Writer", "Finance")
    tomorrow = (world.clock.now + timedelta(days=1)).date().isoformat()
    long_ago = (world.clock.now - timedelta(days=400)).date().isoformat()
    cases = [
        activity(world, date=tomorrow),
        activity(world, date=long_ago),
        activity(world, link="javascript:alert(1)"),
        activity(world, link="https://example.com/" + "a" * 500),
        activity(world, kind="holiday"),
        activity(world, title=""),
        activity(world, title="two\nlines"),
        activity(world, description="x" * 2001),
    ]
    for body in cases:
        response = await world.client.post("/api/activities", json=body, headers=writer.headers)
        assert response.status_code == 422, body
    someone = await world.actor("Sam", "Sales")
    body = activity(world)
    await world.client.post("/api/activities", json=body, headers=writer.headers)
    taken = await world.client.post("/api/activities", json=body, headers=someone.headers)
    assert taken.status_code == 409
