"""The programme in numbers for admins: counts and standing points, never names."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.champions.checkins import attended_grant
from tests.integration.api.champion_world import World, clock, world

__all__ = ["clock", "world"]


async def test_the_report_counts_what_happened(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    host = await world.actor("Hank Host", "Sales")
    other = await world.actor("Olga Other", "Finance")
    guests = [await world.actor(f"Guest {i}", "Finance") for i in range(2)]
    await world.champion(host, admin, "Sales", "Finance")
    await world.champion(other, admin, "Finance")
    await client.post(
        "/api/champions/apply", json={"id": str(uuid.uuid4())}, headers=guests[1].headers
    )

    held = await world.event(host, departments=["Sales", "Finance"])
    for guest in guests:
        code = await world.code(host, held["id"])
        checked = await client.post(
            f"/api/champion-events/{held['id']}/checkin", json={"code": code}, headers=guest.headers
        )
        assert checked.status_code == 200
    await world.event(other, starts=world.clock.now + timedelta(days=3), departments=["Finance"])
    dropped = await world.event(other, starts=world.clock.now + timedelta(days=4))
    await client.delete(f"/api/champion-events/{dropped['id']}", headers=other.headers)
    async with AsyncSession(world.engine) as session, session.begin():
        await recognition.revoke(
            session,
            grant=attended_grant(held["id"], guests[0].person),
            reason="Left after five minutes",
            revoked_by=admin.person,
        )

    assert (
        await client.get("/api/admin/champions/report", headers=host.headers)
    ).status_code == 403
    response = await client.get("/api/admin/champions/report", headers=admin.headers)
    assert response.status_code == 200
    got = response.json()
    assert got["champions"] == {"pending": 1, "approved": 2, "rejected": 0, "retired": 0}
    assert (got["events_held"], got["events_upcoming"], got["events_cancelled"]) == (1, 1, 1)
    assert got["attendees"] == 2
    assert got["points"] == {"event_attended": 20, "event_hosted": 40, "activity": 0}
    assert got["departments"] == [
        {"department": "Finance", "champions": 2, "events": 1, "attendees": 2},
        {"department": "Sales", "champions": 1, "events": 1, "attendees": 2},
    ]
    assert "Guest" not in response.text and "Hank" not in response.text

    later = world.clock.now.date() + timedelta(days=1)
    window = await client.get(
        f"/api/admin/champions/report?since={later.isoformat()}", headers=admin.headers
    )
    assert window.json()["events_held"] == 0 and window.json()["events_upcoming"] == 1
