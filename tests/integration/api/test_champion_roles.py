"""Who may write what in the champions programme: every write endpoint, every kind of caller.

Callers: nobody (401), an office screen's display token (a screen never writes: 403),
an employee, an approved champion, an admin.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from services.api.community import library
from tests.integration.api.champion_world import Actor, World, clock, world

__all__ = ["clock", "world"]

ROLES = ("anonymous", "display", "employee", "champion", "admin")


@dataclass
class Cast:
    world: World
    admin: Actor
    champion: Actor
    employee: Actor
    display: str

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role == "display":
            return {"Authorization": f"Bearer {self.display}"}
        actor: Actor = getattr(self, role)
        return actor.headers

    def person(self, role: str) -> Actor:
        actor: Actor = getattr(self, role)
        return actor


async def cast(world: World) -> Cast:
    admin = await world.actor("Ada Admin", "Sales", roles=["Admin"])
    champion = await world.actor("Cara Champion", "Sales")
    employee = await world.actor("Eli Employee", "Sales")
    await world.champion(champion, admin, "Sales")
    issued = await world.client.post(
        "/api/admin/display-tokens", json={"label": "Lobby"}, headers=admin.headers
    )
    return Cast(world, admin, champion, employee, issued.json()["token"])


# A request for one role: (method, url, body), made fresh for each caller.
Request = Callable[[Cast, str], Awaitable[tuple[str, str, dict[str, Any] | None]]]


async def apply(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return "POST", "/api/champions/apply", {"id": str(uuid.uuid4()), "departments": ["Sales"]}


async def nominate(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    nominee = await c.world.actor(f"Nominee of {role}", "Sales")
    return "POST", "/api/champions/nominations", {"id": str(uuid.uuid4()), "person": nominee.person}


async def withdraw(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return "POST", "/api/champions/me/withdraw", {}


async def decide_champion(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    applicant = await c.world.actor(f"Applicant for {role}", "Sales")
    await c.world.client.post(
        "/api/champions/apply",
        json={"id": str(uuid.uuid4()), "departments": ["Sales"]},
        headers=applicant.headers,
    )
    return "POST", f"/api/admin/champions/{applicant.person}/decision", {"status": "approved"}


async def tip(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return (
        "POST",
        "/api/champions/tips",
        {"id": str(uuid.uuid4()), "department": "Sales", "use_case": "teams-meeting-recap"},
    )


def plan(c: Cast, days: int = 1) -> dict[str, Any]:
    start = c.world.clock.now + timedelta(days=days)
    return {
        "id": str(uuid.uuid4()),
        "title": "Office hours",
        "format": "office_hours",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }


async def create_event(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return "POST", "/api/champion-events", plan(c)


async def hosted_event(c: Cast, days: int = 1) -> str:
    made = await c.world.client.post(
        "/api/champion-events", json=plan(c, days), headers=c.champion.headers
    )
    assert made.status_code == 201
    event: str = made.json()["id"]
    return event


async def change_event(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return "PATCH", f"/api/champion-events/{await hosted_event(c)}", {"title": f"By {role}"}


async def cancel_event(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return "DELETE", f"/api/champion-events/{await hosted_event(c)}", None


async def check_in(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    other_host = await c.world.actor(f"Host for {role}", "Sales")
    await c.world.champion(other_host, c.admin, "Sales")
    event = await c.world.event(other_host)
    code = await c.world.code(other_host, event["id"])
    return "POST", f"/api/champion-events/{event['id']}/checkin", {"code": code}


async def submit_activity(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    return (
        "POST",
        "/api/activities",
        {
            "id": str(uuid.uuid4()),
            "kind": "other",
            "title": "Prompt clinic",
            "date": c.world.clock.now.date().isoformat(),
        },
    )


async def decide_activity(c: Cast, role: str) -> tuple[str, str, dict[str, Any] | None]:
    made = await c.world.client.post(
        "/api/activities", json=(await submit_activity(c, role))[2], headers=c.employee.headers
    )
    return "POST", f"/api/admin/activities/{made.json()['id']}/decision", {"approve": True}


# Expected status per role: anonymous, display, employee, champion, admin.
MATRIX: list[tuple[str, Request, tuple[int, int, int, int, int]]] = [
    ("apply", apply, (401, 403, 201, 200, 201)),
    ("nominate", nominate, (401, 403, 201, 201, 201)),
    ("withdraw", withdraw, (401, 403, 404, 200, 404)),
    ("decide on a champion", decide_champion, (401, 403, 403, 403, 200)),
    ("send a tip", tip, (401, 403, 403, 201, 201)),
    ("create an event", create_event, (401, 403, 403, 201, 201)),
    ("change an event", change_event, (401, 403, 403, 200, 200)),
    ("cancel an event", cancel_event, (401, 403, 403, 200, 200)),
    ("check in", check_in, (401, 403, 200, 200, 200)),
    ("submit an activity", submit_activity, (401, 403, 201, 201, 201)),
    ("decide on an activity", decide_activity, (401, 403, 403, 403, 200)),
]


@pytest.mark.parametrize(("name", "request_for", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
async def test_every_write_endpoint_checks_who_calls(
    world: World,
    name: str,
    request_for: Request,
    expected: tuple[int, int, int, int, int],
) -> None:
    await library.seed(world.engine)
    c = await cast(world)
    got = []
    for role in ROLES:
        method, url, body = await request_for(c, role)
        response = await world.client.request(method, url, json=body, headers=c.headers(role))
        got.append(response.status_code)
        if response.status_code == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert tuple(got) == expected, f"{name}: {dict(zip(ROLES, got, strict=True))}"


async def test_reads_need_a_person_too(world: World) -> None:
    c = await cast(world)
    reads = [
        "/api/champions",
        "/api/champions/me",
        "/api/champion-events",
        "/api/champion-events/attended",
        "/api/activities",
    ]
    for url in reads:
        assert (await world.client.get(url)).status_code == 401
        assert (await world.client.get(url, headers=c.headers("display"))).status_code == 403
        assert (await world.client.get(url, headers=c.headers("employee"))).status_code == 200
    for url in ("/api/admin/champions", "/api/admin/activities"):
        assert (await world.client.get(url, headers=c.headers("champion"))).status_code == 403
        assert (await world.client.get(url, headers=c.headers("admin"))).status_code == 200
    for url in ("/api/champions/dashboard", "/api/champion-events/screens"):
        assert (await world.client.get(url, headers=c.headers("employee"))).status_code == 403
        assert (await world.client.get(url, headers=c.headers("champion"))).status_code == 200
