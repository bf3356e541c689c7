"""Becoming a champion, admins' decisions, and who can help me, on a running gateway."""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared.events import ChampionChanged
from tests.integration.api.champion_world import Heard, World, clock, heard, world

__all__ = ["clock", "heard", "world"]


def application(*departments: str, motivation: str = "I like helping") -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "departments": list(departments),
        "apps": ["excel", "teams"],
        "motivation": motivation,
    }


async def test_apply_approve_and_be_found_by_colleagues(heard: Heard, world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    ann = await world.actor("Ann Named", "Sales", opted_in=True)
    bob = await world.actor("Bob Quiet", "Sales")
    await world.colleagues("Sales", 8)
    asker = await world.actor("Cleo Asker", "Sales")

    body = application("Sales")
    first = await client.post("/api/champions/apply", json=body, headers=ann.headers)
    again = await client.post("/api/champions/apply", json=body, headers=ann.headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["status"] == "pending"

    before = await client.get("/api/champions?department=Sales", headers=asker.headers)
    assert before.json()["departments"] == [{"department": "Sales", "champions": [], "unnamed": 0}]

    await world.champion(bob, admin, "Sales")
    approved = await client.post(
        f"/api/admin/champions/{ann.person}/decision",
        json={"status": "approved"},
        headers=admin.headers,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    found = (await client.get("/api/champions?department=Sales", headers=asker.headers)).json()
    (sales,) = found["departments"]
    assert sales["champions"] == [{"name": "Ann Named", "apps": ["excel", "teams"], "me": False}]
    assert sales["unnamed"] == 1  # Bob did not opt in: counted, never named
    assert "Bob Quiet" not in str(found)
    assert "Sales" in found["all_departments"]

    changes = await heard.events("community.champion", 4)
    assert [(c.person, c.status, c.version) for c in changes] == [
        (ann.person, "pending", 1),
        (bob.person, "pending", 1),
        (bob.person, "approved", 2),
        (ann.person, "approved", 2),
    ]
    assert all(isinstance(c, ChampionChanged) and c.departments == ["Sales"] for c in changes)


async def test_a_rejection_needs_a_reason_and_decisions_follow_the_states(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    ann = await world.actor("Ann", "Sales")
    await client.post("/api/champions/apply", json=application("Sales"), headers=ann.headers)
    decide = f"/api/admin/champions/{ann.person}/decision"

    no_reason = await client.post(decide, json={"status": "rejected"}, headers=admin.headers)
    assert no_reason.status_code == 422
    retire_pending = await client.post(decide, json={"status": "retired"}, headers=admin.headers)
    assert retire_pending.status_code == 409

    rejected = await client.post(
        decide, json={"status": "rejected", "reason": "Not this quarter"}, headers=admin.headers
    )
    assert rejected.json()["status"] == "rejected"
    mine = (await client.get("/api/champions/me", headers=ann.headers)).json()
    assert mine["status"] == "rejected" and mine["reason"] == "Not this quarter"
    approve_rejected = await client.post(decide, json={"status": "approved"}, headers=admin.headers)
    assert approve_rejected.status_code == 409

    reapplied = await client.post(
        "/api/champions/apply", json=application("Sales"), headers=ann.headers
    )
    assert reapplied.status_code == 201
    assert reapplied.json()["status"] == "pending" and reapplied.json()["version"] == 3
    assert reapplied.json()["reason"] is None


async def test_nominations_need_a_colleague_in_the_directory(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    nominator = await world.actor("Nina", "Sales")
    nominee = await world.actor("Omar", "Finance")

    def nomination(person: str) -> dict[str, object]:
        return {"id": str(uuid.uuid4()), "person": person, "motivation": "Always helpful"}

    unknown = await client.post(
        "/api/champions/nominations",
        json=nomination("p-" + "0" * 24),
        headers=nominator.headers,
    )
    assert unknown.status_code == 404
    myself = await client.post(
        "/api/champions/nominations", json=nomination(nominator.person), headers=nominator.headers
    )
    assert myself.status_code == 422

    body = nomination(nominee.person)
    made = await client.post("/api/champions/nominations", json=body, headers=nominator.headers)
    assert made.status_code == 201
    assert made.json() == {"person": nominee.person, "status": "pending"}
    retried = await client.post("/api/champions/nominations", json=body, headers=nominator.headers)
    assert retried.status_code == 200

    queue = (await client.get("/api/admin/champions?status=pending", headers=admin.headers)).json()
    (entry,) = queue
    assert entry["person"] == nominee.person
    assert entry["nominated"] is True
    assert entry["departments"] == ["Finance"]  # the nominee's own department by default
    assert entry["name"] == "Omar" and entry["home_department"] == "Finance"

    same_id_other_caller = await client.post(
        "/api/champions/apply",
        json={**application(), "id": body["id"]},
        headers=nominee.headers,
    )
    assert same_id_other_caller.status_code == 409


async def test_only_approved_champions_reach_the_dashboard_and_may_step_down(
    world: World,
) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    ann = await world.actor("Ann", "Sales")
    await client.post("/api/champions/apply", json=application("Sales"), headers=ann.headers)
    assert (await client.get("/api/champions/dashboard", headers=ann.headers)).status_code == 403

    await client.post(
        f"/api/admin/champions/{ann.person}/decision",
        json={"status": "approved"},
        headers=admin.headers,
    )
    assert (await client.get("/api/champions/dashboard", headers=ann.headers)).status_code == 200
    other = await client.get("/api/champions/dashboard?department=IT", headers=ann.headers)
    assert other.status_code == 403
    assert (await client.get("/api/champions/dashboard", headers=admin.headers)).status_code == 200

    stepped = await client.post("/api/champions/me/withdraw", json={}, headers=ann.headers)
    assert stepped.json()["status"] == "retired"
    assert (await client.get("/api/champions/dashboard", headers=ann.headers)).status_code == 403


async def test_departments_must_exist(world: World) -> None:
    ann = await world.actor("Ann", "Sales")
    response = await world.client.post(
        "/api/champions/apply", json=application("Atlantis"), headers=ann.headers
    )
    assert response.status_code == 422
    assert "Atlantis" in str(response.json()["detail"])


@pytest.mark.parametrize(
    "body",
    [
        {"id": "not-a-uuid"},
        {"id": str(uuid.uuid4()), "apps": ["typewriter"]},
        {"id": str(uuid.uuid4()), "motivation": "x" * 1001},
        {"id": str(uuid.uuid4()), "departments": ["Sales\nIT"]},
        {"id": str(uuid.uuid4()), "unexpected": True},
    ],
)
async def test_applications_are_validated(world: World, body: dict[str, object]) -> None:
    ann = await world.actor("Ann", "Sales")
    response: httpx.Response = await world.client.post(
        "/api/champions/apply", json=body, headers=ann.headers
    )
    assert response.status_code == 422
