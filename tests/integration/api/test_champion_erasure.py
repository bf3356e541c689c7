"""An erased champion is gone from the programme's tables; colleagues keep their points."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.integration.api.champion_world import World, clock, world

__all__ = ["clock", "world"]

COLUMNS = [
    ("api_champion", "person"),
    ("api_champion", "nominated_by"),
    ("api_champion", "decided_by"),
    ("api_champion_event", "host"),
    ("api_champion_checkin", "person"),
    ("api_champion_checkin_failure", "person"),
    ("api_champion_tip", "sent_by"),
    ("api_activity", "person"),
    ("api_activity", "decided_by"),
]


async def mentions(world: World, person: str) -> dict[str, int]:
    found = {}
    async with world.engine.connect() as conn:
        for table, column in COLUMNS:
            count = await conn.scalar(
                text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :p"),
                {"p": person},
            )
            if count:
                found[f"{table}.{column}"] = int(count)
    return found


async def test_erasing_a_champion_removes_them_and_keeps_attendees_points(world: World) -> None:
    client = world.client
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    host = await world.actor("Hank Host", "Sales")
    attendee = await world.actor("Ann Attendee", "Sales")
    await client.post(
        "/api/champions/nominations",
        json={"id": str(uuid.uuid4()), "person": attendee.person},
        headers=host.headers,
    )
    await world.champion(host, admin, "Sales")
    event = await world.event(host)
    url = f"/api/champion-events/{event['id']}/checkin"
    elsewhere = await world.event(admin)
    wrong = await client.post(
        f"/api/champion-events/{elsewhere['id']}/checkin",
        json={"code": "AAAAAA"},
        headers=host.headers,
    )
    assert wrong.status_code == 422
    checked = await client.post(
        url, json={"code": await world.code(host, event["id"])}, headers=attendee.headers
    )
    assert checked.status_code == 200
    await client.post(
        "/api/activities",
        json={
            "id": str(uuid.uuid4()),
            "kind": "other",
            "title": "Prompt clinic",
            "date": world.clock.now.date().isoformat(),
        },
        headers=host.headers,
    )
    assert set(await mentions(world, host.person)) == {
        "api_champion.person",
        "api_champion.nominated_by",
        "api_champion_event.host",
        "api_champion_checkin_failure.person",
        "api_activity.person",
    }

    erased = await client.delete(f"/api/admin/people/{host.person}", headers=admin.headers)
    assert erased.status_code == 200, erased.text

    assert await mentions(world, host.person) == {}
    (kept,) = (await client.get("/api/champion-events/attended", headers=attendee.headers)).json()
    assert kept["title"] == event["title"] and kept["points"] == 20
    mine = (await client.get("/api/champions/me", headers=attendee.headers)).json()
    assert mine["status"] == "pending" and mine["nominated"] is False  # nominator forgotten
