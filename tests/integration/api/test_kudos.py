"""Peer kudos over HTTP: rules, idempotent retries, names by opt-in, hidden messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.api.community.kudos import KudosValue
from shared.events import RecognitionKind
from shared.periods import local_date, month_key
from tests.integration.api.community_world import Actor, Community, community, new_id  # noqa: F401

pytestmark = pytest.mark.asyncio


async def give(
    community: Community,  # noqa: F811
    giver: Actor,
    to: Actor,
    value: str = "helpful",
    message: str = "Thanks for the Excel tip!",
    kudos_id: str | None = None,
) -> Any:
    return await community.client.post(
        "/api/kudos",
        json={"id": kudos_id or new_id(), "to": to.person, "value": value, "message": message},
        headers=giver.headers,
    )


async def test_a_kudos_pays_the_receiver_and_a_retry_is_the_same_kudos(
    community: Community,  # noqa: F811
) -> None:
    ann = await community.person("Ann", opted_in=True)
    bob = await community.person("Bob")
    kudos_id = new_id()
    first = await give(community, ann, bob, kudos_id=kudos_id)
    again = await give(community, ann, bob, kudos_id=kudos_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["value"] == "helpful"
    grants = await community.grants()
    assert list(grants) == [f"kudos:{kudos_id}"]
    grant = grants[f"kudos:{kudos_id}"]
    assert (grant.person, grant.kind, grant.points, grant.granted_by) == (
        bob.person,
        RecognitionKind.KUDOS.value,
        5,
        ann.person,
    )


async def test_the_same_id_for_another_kudos_is_a_conflict(community: Community) -> None:  # noqa: F811
    ann, bob = await community.person("Ann"), await community.person("Bob")
    kudos_id = new_id()
    assert (await give(community, ann, bob, kudos_id=kudos_id)).status_code == 201
    changed = await give(community, ann, bob, message="Something else", kudos_id=kudos_id)
    assert changed.status_code == 409
    taken = await give(community, bob, ann, kudos_id=kudos_id)
    assert taken.status_code == 409


async def test_nobody_thanks_themselves_or_someone_not_here(community: Community) -> None:  # noqa: F811
    ann = await community.person("Ann")
    gone = await community.person("Unlicensed", licensed=False)
    assert (await give(community, ann, ann)).status_code == 400
    assert (await give(community, ann, gone)).status_code == 404
    stranger = Actor("p-nobody", "", "Nobody")
    assert (await give(community, ann, stranger)).status_code == 404
    assert await community.grants() == {}


async def test_once_a_day_per_colleague(community: Community) -> None:  # noqa: F811
    ann, bob = await community.person("Ann"), await community.person("Bob")
    assert (await give(community, ann, bob)).status_code == 201
    again = await give(community, ann, bob, value="creative")
    assert again.status_code == 409
    assert (await give(community, bob, ann)).status_code == 201


async def test_three_a_minute(community: Community) -> None:  # noqa: F811
    ann = await community.person("Ann")
    others = [await community.person(f"Colleague {i}") for i in range(4)]
    for other in others[:3]:
        assert (await give(community, ann, other)).status_code == 201
    fourth = await give(community, ann, others[3])
    assert fourth.status_code == 429
    assert 1 <= int(fourth.headers["retry-after"]) <= 61
    assert "a minute" in fourth.json()["detail"]


async def test_the_monthly_allowance_does_not_grow(community: Community) -> None:  # noqa: F811
    community.app.state.resources.settings = community.settings.model_copy(
        update={"api_kudos_per_minute": 100}
    )
    ann = await community.person("Ann")
    others = [await community.person(f"Colleague {i}") for i in range(6)]
    for other in others[:5]:
        assert (await give(community, ann, other)).status_code == 201
    sixth = await give(community, ann, others[5])
    assert sixth.status_code == 429
    assert "month" in sixth.json()["detail"]
    mine = (await community.client.get("/api/me/kudos", headers=ann.headers)).json()
    today = local_date(datetime.now(UTC), community.settings.tz)
    assert (mine["allowance"], mine["given_this_month"], mine["remaining"]) == (5, 5, 0)
    assert mine["month"] == month_key(today)
    assert len(mine["given"]) == 5


@pytest.mark.parametrize(
    "body",
    [
        {"value": "genius"},
        {"message": "x" * 281},
        {"message": "line\nbreak"},
        {"id": "not-a-uuid"},
        {"to": ""},
    ],
)
async def test_invalid_kudos_are_422(community: Community, body: dict[str, Any]) -> None:  # noqa: F811
    ann, bob = await community.person("Ann"), await community.person("Bob")
    sent = {"id": new_id(), "to": bob.person, "value": "helpful", "message": "ok"} | body
    response = await community.client.post("/api/kudos", json=sent, headers=ann.headers)
    assert response.status_code == 422


async def test_my_kudos_name_only_people_who_opted_in(community: Community) -> None:  # noqa: F811
    await community.colleagues("Sales", 6)
    await community.colleagues("Legal", 1)
    named = await community.person("Ann Named", "Sales", opted_in=True)
    unnamed = await community.person("Bob Hidden", "Sales")
    small = await community.person("Cas Small", "Legal")
    receiver = await community.person("Dana", "Sales")
    for giver, value in ((named, "creative"), (unnamed, "time_saver"), (small, "brave_first")):
        assert (await give(community, giver, receiver, value=value)).status_code == 201
    mine = (await community.client.get("/api/me/kudos", headers=receiver.headers)).json()
    givers = {k["value"]: k["giver"] for k in mine["received"]}
    assert givers == {
        "creative": {"name": "Ann Named", "department": "Sales"},
        "time_saver": {"name": None, "department": "Sales"},
        "brave_first": {"name": None, "department": None},  # Legal is too small to mention
    }
    assert mine["values"] == [v.value for v in KudosValue]
    sent = (await community.client.get("/api/me/kudos", headers=named.headers)).json()
    assert sent["given"][0]["receiver"] == {"name": None, "department": "Sales"}


async def test_the_receiver_hides_a_message_from_everyone_else(community: Community) -> None:  # noqa: F811
    ann, bob = await community.person("Ann"), await community.person("Bob")
    kudos_id = new_id()
    assert (await give(community, ann, bob, message="Great prompt", kudos_id=kudos_id)).is_success
    url = f"/api/me/kudos/{kudos_id}/hidden"
    assert (
        await community.client.put(url, json={"hidden": True}, headers=ann.headers)
    ).status_code == 404
    hidden = await community.client.put(url, json={"hidden": True}, headers=bob.headers)
    assert hidden.json() == {"hidden": True}
    assert (await community.client.put(url, json={"hidden": True}, headers=bob.headers)).is_success
    given = (await community.client.get("/api/me/kudos", headers=ann.headers)).json()["given"]
    assert given[0]["message"] is None
    received = (await community.client.get("/api/me/kudos", headers=bob.headers)).json()
    assert received["received"][0] | {"giver": None} == {
        "id": kudos_id,
        "value": "helpful",
        "message": "Great prompt",
        "hidden": True,
        "day": received["received"][0]["day"],
        "giver": None,
    }
    shown = await community.client.put(url, json={"hidden": False}, headers=bob.headers)
    assert shown.json() == {"hidden": False}
    given = (await community.client.get("/api/me/kudos", headers=ann.headers)).json()["given"]
    assert given[0]["message"] == "Great prompt"
