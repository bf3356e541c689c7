"""Champion events and checking in with rotating codes, on a running gateway."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from services.api.champions import codes
from shared.events import ChampionEventChanged, CommunityChange, RecognitionGranted
from tests.integration.api.champion_world import Actor, Heard, World, clock, grants, heard, world

__all__ = ["clock", "heard", "world"]


async def hosted(world: World) -> tuple[Actor, Actor, Actor]:
    """An admin, an approved champion of Sales and an attendee from Finance."""
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    host = await world.actor("Hank Host", "Sales")
    await world.champion(host, admin, "Sales")
    attendee = await world.actor("Ann Attendee", "Finance")
    return admin, host, attendee


async def test_attendees_check_in_with_the_code_and_earn_points_once(
    heard: Heard, world: World
) -> None:
    client = world.client
    _, host, attendee = await hosted(world)
    other = await world.actor("Otto Other", "Finance")
    event = await world.event(host, departments=["Sales"], location="Room 3.12")
    assert event["open"] and event["attendees"] == 0 and event["mine"]
    code = await world.code(host, event["id"])
    assert len(code) == codes.LENGTH and set(code) <= set(codes.ALPHABET)

    url = f"/api/champion-events/{event['id']}/checkin"
    first = await client.post(url, json={"code": code.lower()}, headers=attendee.headers)
    assert first.status_code == 200, first.text
    assert first.json()["points"] == 20 and first.json()["title"] == event["title"]
    world.clock.advance(minutes=30)  # a second scan later, with a code long expired
    again = await client.post(url, json={"code": code}, headers=attendee.headers)
    assert again.status_code == 200 and again.json() == first.json()
    second = await client.post(
        url, json={"code": await world.code(host, event["id"])}, headers=other.headers
    )
    assert second.status_code == 200

    assert await grants(world.engine) == {
        f"event:{event['id']}:attended:{attendee.person}": (
            attendee.person,
            "event_attended",
            20,
            False,
        ),
        f"event:{event['id']}:attended:{other.person}": (other.person, "event_attended", 20, False),
        f"event:{event['id']}:hosted": (host.person, "event_hosted", 40, False),
    }
    paid = await heard.events("signals.recognition.granted", 3)
    assert all(isinstance(p, RecognitionGranted) for p in paid)
    assert sorted(p.kind.value for p in paid) == [
        "event_attended",
        "event_attended",
        "event_hosted",
    ]
    (created,) = await heard.events("community.event", 1)
    assert isinstance(created, ChampionEventChanged)
    assert created.change is CommunityChange.CREATED and created.host == host.person

    mine = (await client.get("/api/champion-events/attended", headers=attendee.headers)).json()
    assert [(m["event"], m["points"], m["revoked"]) for m in mine] == [(event["id"], 20, False)]
    seen = (await client.get(f"/api/champion-events/{event['id']}", headers=host.headers)).json()
    assert seen["attendees"] == 2
    hidden = (
        await client.get(f"/api/champion-events/{event['id']}", headers=attendee.headers)
    ).json()
    assert hidden["attendees"] is None and hidden["checked_in"] is True


async def test_wrong_expired_closed_and_own_codes_are_refused(world: World) -> None:
    client = world.client
    _, host, attendee = await hosted(world)
    event = await world.event(host, hours=1)
    url = f"/api/champion-events/{event['id']}/checkin"
    code = await world.code(host, event["id"])

    own = await client.post(url, json={"code": code}, headers=host.headers)
    assert own.status_code == 403

    wrong = "".join(reversed(code)) if code != code[::-1] else "AAAAAA"
    refused = await client.post(url, json={"code": wrong}, headers=attendee.headers)
    assert refused.status_code == 422
    assert "code" in str(refused.json()["detail"])

    world.clock.advance(seconds=codes.ROTATE_SECONDS + codes.GRACE_SECONDS)
    expired = await client.post(url, json={"code": code}, headers=attendee.headers)
    assert expired.status_code == 410

    world.clock.advance(hours=2)
    assert (
        await client.get(f"/api/champion-events/{event['id']}/code", headers=host.headers)
    ).status_code == 409
    closed = await client.post(url, json={"code": code}, headers=attendee.headers)
    assert closed.status_code == 409
    assert (await client.post(url, json={"code": ""}, headers=attendee.headers)).status_code == 422
    missing = f"/api/champion-events/{uuid.uuid4()}/checkin"
    assert (
        await client.post(missing, json={"code": code}, headers=attendee.headers)
    ).status_code == 404


async def test_the_previous_code_is_accepted_for_a_short_grace(world: World) -> None:
    _, host, attendee = await hosted(world)
    event = await world.event(host)
    code = await world.code(host, event["id"])
    step = codes.step_of(world.clock.now)
    world.clock.now = world.clock.now.fromtimestamp(
        (step + 1) * codes.ROTATE_SECONDS + codes.GRACE_SECONDS - 5, world.clock.now.tzinfo
    )
    assert await world.code(host, event["id"]) != code
    response = await world.client.post(
        f"/api/champion-events/{event['id']}/checkin",
        json={"code": code},
        headers=attendee.headers,
    )
    assert response.status_code == 200


async def test_guessing_is_slowed_down(world: World) -> None:
    client = world.client
    _, host, attendee = await hosted(world)
    event = await world.event(host)
    url = f"/api/champion-events/{event['id']}/checkin"
    real = await world.code(host, event["id"])
    guesses = [g for g in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE", "FFFFFF") if g != real]
    for guess in guesses[:5]:
        assert (
            await client.post(url, json={"code": guess}, headers=attendee.headers)
        ).status_code == 422
    blocked = await client.post(url, json={"code": real}, headers=attendee.headers)
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0

    world.clock.advance(minutes=11)
    fresh = await world.code(host, event["id"])
    allowed = await client.post(url, json={"code": fresh}, headers=attendee.headers)
    assert allowed.status_code == 200


async def test_events_are_planned_within_the_rules(world: World) -> None:
    client = world.client
    admin, host, _ = await hosted(world)
    start = world.clock.now + timedelta(days=1)

    def plan(**changes: object) -> dict[str, object]:
        return {
            "id": str(uuid.uuid4()),
            "title": "Office hours",
            "format": "office_hours",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            **changes,
        }

    too_long = plan(ends_at=(start + timedelta(hours=8, minutes=1)).isoformat())
    assert (
        await client.post("/api/champion-events", json=too_long, headers=host.headers)
    ).status_code == 422
    backwards = plan(ends_at=(start - timedelta(hours=1)).isoformat())
    assert (
        await client.post("/api/champion-events", json=backwards, headers=host.headers)
    ).status_code == 422
    naive = plan(starts_at="2026-12-02T10:00:00")
    assert (
        await client.post("/api/champion-events", json=naive, headers=host.headers)
    ).status_code == 422
    elsewhere = plan(departments=["Finance"])
    assert (
        await client.post("/api/champion-events", json=elsewhere, headers=host.headers)
    ).status_code == 403
    assert (
        await client.post("/api/champion-events", json=elsewhere, headers=admin.headers)
    ).status_code == 201
    no_screen = plan(screens=[999])
    assert (
        await client.post("/api/champion-events", json=no_screen, headers=host.headers)
    ).status_code == 422
    odd_format = plan(format="party")
    assert (
        await client.post("/api/champion-events", json=odd_format, headers=host.headers)
    ).status_code == 422

    body = plan()
    made = await client.post("/api/champion-events", json=body, headers=host.headers)
    retried = await client.post("/api/champion-events", json=body, headers=host.headers)
    assert made.status_code == 201 and retried.status_code == 200
    assert made.json() == retried.json()
    taken = await client.post("/api/champion-events", json=body, headers=admin.headers)
    assert taken.status_code == 409

    upcoming = (await client.get("/api/champion-events", headers=host.headers)).json()
    assert body["id"] in [e["id"] for e in upcoming]


async def test_changes_and_cancellations_are_announced_and_kept_honest(
    heard: Heard, world: World
) -> None:
    client = world.client
    _, host, attendee = await hosted(world)
    later = await world.event(host, starts=world.clock.now + timedelta(days=2))
    now = await world.event(host)
    stranger = await world.actor("Sam", "Sales")

    renamed = await client.patch(
        f"/api/champion-events/{later['id']}",
        json={"title": "Prompt-a-thon", "format": "promptathon", "version": 1},
        headers=host.headers,
    )
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    stale = await client.patch(
        f"/api/champion-events/{later['id']}",
        json={"title": "x", "version": 1},
        headers=host.headers,
    )
    assert stale.status_code == 409
    same = await client.patch(
        f"/api/champion-events/{later['id']}", json={"title": "Prompt-a-thon"}, headers=host.headers
    )
    assert same.json()["version"] == 2
    not_theirs = await client.patch(
        f"/api/champion-events/{later['id']}", json={"title": "Mine"}, headers=stranger.headers
    )
    assert not_theirs.status_code == 403  # not a champion at all

    code = await world.code(host, now["id"])
    await client.post(
        f"/api/champion-events/{now['id']}/checkin", json={"code": code}, headers=attendee.headers
    )
    moved = await client.patch(
        f"/api/champion-events/{now['id']}",
        json={"ends_at": (world.clock.now + timedelta(hours=3)).isoformat()},
        headers=host.headers,
    )
    assert moved.status_code == 409
    assert (
        await client.delete(f"/api/champion-events/{now['id']}", headers=host.headers)
    ).status_code == 409

    cancelled = await client.delete(f"/api/champion-events/{later['id']}", headers=host.headers)
    again = await client.delete(f"/api/champion-events/{later['id']}", headers=host.headers)
    assert cancelled.status_code == 200 and again.json() == cancelled.json()
    assert cancelled.json()["cancelled"] is True

    changes = await heard.events("community.event", 4)
    assert [(c.event, c.change, c.version) for c in changes] == [
        (later["id"], CommunityChange.CREATED, 1),
        (now["id"], CommunityChange.CREATED, 1),
        (later["id"], CommunityChange.UPDATED, 2),
        (later["id"], CommunityChange.REMOVED, 3),
    ]


async def test_office_screens_show_the_codes_of_the_events_that_chose_them(
    world: World,
) -> None:
    client = world.client
    admin, host, attendee = await hosted(world)

    async def screen(label: str) -> tuple[int, str]:
        issued = await client.post(
            "/api/admin/display-tokens", json={"label": label}, headers=admin.headers
        )
        return issued.json()["id"], issued.json()["token"]

    lobby, lobby_token = await screen("Lobby")
    _, canteen_token = await screen("Canteen")
    listed = (await client.get("/api/champion-events/screens", headers=host.headers)).json()
    assert {s["label"] for s in listed} == {"Lobby", "Canteen"}

    event = await world.event(host, screens=[lobby], location="Lobby")
    await world.event(host, starts=world.clock.now + timedelta(days=1), screens=[lobby])

    shown = await client.get(
        "/api/screen/checkin", headers={"Authorization": f"Bearer {lobby_token}"}
    )
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    body = shown.json()
    (entry,) = body["events"]
    assert entry["id"] == event["id"] and entry["location"] == "Lobby"
    assert entry["code"] == await world.code(host, event["id"])
    assert entry["url"] == (
        f"http://api.test/champions/checkin?event={event['id']}&code={entry['code']}"
    )
    assert entry["qr_svg"].startswith("<svg") and entry["qr_data_uri"].startswith(
        "data:image/svg+xml"
    )
    assert body["refresh_seconds"] > 0

    by_query = await client.get(f"/api/screen/checkin?token={canteen_token}")
    assert by_query.status_code == 200 and by_query.json()["events"] == []

    assert (await client.get("/api/screen/checkin")).status_code == 401
    assert (await client.get("/api/screen/checkin", headers=attendee.headers)).status_code == 403

    checked = await client.post(
        f"/api/champion-events/{event['id']}/checkin",
        json={"code": entry["code"]},
        headers=attendee.headers,
    )
    assert checked.status_code == 200


async def test_the_public_address_names_the_qr_code_link(world: World) -> None:
    resources = world.client._transport.app.state.resources  # type: ignore[attr-defined]
    resources.settings = resources.settings.model_copy(
        update={"api_public_url": "https://uptake.example.com"}
    )
    _, host, _ = await hosted(world)
    event = await world.event(host)
    response: httpx.Response = await world.client.get(
        f"/api/champion-events/{event['id']}/code", headers=host.headers
    )
    assert response.json()["url"].startswith("https://uptake.example.com/champions/checkin?")
