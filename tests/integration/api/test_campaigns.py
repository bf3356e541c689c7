"""Campaigns over real HTTP and SQL: recording them (idempotent, validated), who may do
what, and their effect read from an adoption cube built from a known true effect."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.integration.api.campaign_world import (
    STARTS,
    Cast,
    build_rates,
    cast,
    fill_cube,
)
from tests.integration.api.champion_world import World, clock, world

__all__ = ["clock", "world"]

URL = "/api/insights/campaigns"
ROLES = (
    "anonymous",
    "display",
    "employee",
    "sales_champion",
    "finance_champion",
    "reader",
    "admin",
)


def body(**change: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "training",
        "title": "Copilot in Excel for Sales",
        "starts_on": STARTS.isoformat(),
        "departments": ["Sales"],
        **change,
    }


async def record(c: Cast, role: str = "admin", **change: Any) -> dict[str, Any]:
    made = await c.world.client.post(URL, json=body(**change), headers=c.headers(role))
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


@pytest.mark.parametrize("true_points", [8.0, 0.0, -5.0])
async def test_the_effect_recovers_the_true_effect_from_the_cube(
    world: World, true_points: float
) -> None:
    c = await cast(world)
    campaign = await record(c)
    effect_url = f"{URL}/{campaign['id']}/effect"
    before = await world.client.get(effect_url, headers=c.admin.headers)
    assert before.status_code == 200
    assert before.json()["available"] is False and before.json()["reason"] == "not_built"

    await fill_cube(world.engine, build_rates(true_points))
    found = (await world.client.get(f"{effect_url}?lang=en", headers=c.admin.headers)).json()
    assert found["available"] is True
    assert found["estimate"] == pytest.approx(true_points, abs=1.0)
    assert found["low"] <= true_points <= found["high"]
    assert found["transition_week"] == "2026-11-09"
    assert len(found["pre_weeks"]) == 6 and "2026-11-09" not in found["pre_weeks"]
    assert found["post_weeks"] == ["2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07"]
    assert found["target"] == {"departments": ["Sales"], "licensed": 400}
    assert found["control"] == {"departments": ["Finance", "HR"], "licensed": 500}  # no Legal
    periods = [point["period"] for point in found["series"]]
    assert periods == ["pre"] * 6 + ["transition"] + ["post"] * 4
    assert "parallel" in found["assumption"]
    assert found["verdict"].startswith("Since the training on 12 November")
    if true_points > 0:
        assert found["likely_real"] and found["verdict"].endswith("likely a real effect.")
    elif true_points == 0:
        assert not found["likely_real"]
        assert found["verdict"].endswith("not distinguishable from no change.")
    else:
        assert found["likely_real"] and found["verdict"].endswith("likely a real decline.")
    dutch = (await world.client.get(f"{effect_url}?lang=nl", headers=c.admin.headers)).json()
    assert dutch["verdict"].startswith("Sinds de opleiding van 12 november")


async def test_an_effect_is_refused_with_a_reason_when_it_cannot_be_shown(world: World) -> None:
    c = await cast(world)
    await fill_cube(world.engine, build_rates(4.0))

    async def effect(**change: Any) -> dict[str, Any]:
        campaign = await record(c, **change)
        answer = await world.client.get(
            f"{URL}/{campaign['id']}/effect?lang=en", headers=c.admin.headers
        )
        assert answer.status_code == 200
        found: dict[str, Any] = answer.json()
        assert found["available"] is False and found["estimate"] is None
        return found

    early = await effect(starts_on="2026-12-03")  # one complete week after it so far
    assert early["reason"] == "too_early" and early["come_back_on"] == "2026-12-21"
    assert "Come back on or after 21 December" in early["message"]
    assert early["series"], "the weeks so far are shown"
    first = await effect(starts_on="2026-09-10")
    assert first["reason"] == "too_few_before" and "1 September" in first["message"]
    hidden = await effect(departments=["Legal"])
    assert hidden["reason"] == "hidden" and "fewer than 5" in hidden["message"]
    assert hidden["series"] == []
    everyone = await effect(departments=["Sales", "Finance", "HR"])
    assert everyone["reason"] == "no_control"


async def test_recording_is_idempotent_and_validated(world: World) -> None:
    c = await cast(world)
    sent = body(ends_on="2026-11-30", note="Two sessions")
    first = await world.client.post(URL, json=sent, headers=c.admin.headers)
    assert first.status_code == 201
    again = await world.client.post(URL, json=sent, headers=c.admin.headers)
    assert again.status_code == 200 and again.json() == first.json()
    other = await world.client.post(URL, json=sent | {"title": "Else"}, headers=c.admin.headers)
    assert other.status_code == 409
    someone = await world.client.post(URL, json=sent, headers=c.sales_champion.headers)
    assert someone.status_code == 409

    async def refused(**change: Any) -> str:
        answer = await world.client.post(URL, json=body(**change), headers=c.admin.headers)
        assert answer.status_code == 422, answer.text
        return str(answer.json()["detail"])

    assert "unknown department: Nowhere" in await refused(departments=["Sales", "Nowhere"])
    assert "ends on or after" in await refused(ends_on="2026-11-01")
    assert "a year" in await refused(starts_on="2027-12-17")
    assert await refused(departments=[])
    assert await refused(kind="webinar")
    assert await refused(title="")
    listed = await world.client.get(URL, headers=c.admin.headers)
    assert [row["id"] for row in listed.json()] == [sent["id"]]  # nothing else was stored
    assert listed.json()[0]["departments"] == ["Sales"]


async def _status(c: Cast, role: str, method: str, url: str, json: Any = None) -> int:
    answer = await c.world.client.request(method, url, json=json, headers=c.headers(role))
    return answer.status_code


async def test_who_may_record_list_read_and_withdraw(world: World) -> None:
    c = await cast(world)
    await fill_cube(world.engine, build_rates(6.0))
    recorded = {role: await _status(c, role, "POST", URL, body()) for role in ROLES}
    assert recorded == {
        "anonymous": 401,
        "display": 403,
        "employee": 403,
        "sales_champion": 201,
        "finance_champion": 403,  # not a champion of Sales
        "reader": 403,
        "admin": 201,
    }
    assert await _status(c, "finance_champion", "POST", URL, body(departments=["Finance"])) == 201

    sales = await record(c, "sales_champion", title="Sales lunch")
    listed = {}
    for role in ROLES:
        answer = await world.client.get(URL, headers=c.headers(role))
        listed[role] = (
            answer.status_code,
            sales["id"] in [row["id"] for row in answer.json()] if answer.is_success else None,
        )
    assert listed == {
        "anonymous": (401, None),
        "display": (403, None),
        "employee": (403, None),
        "sales_champion": (200, True),
        "finance_champion": (200, False),  # only campaigns for their departments
        "reader": (200, True),
        "admin": (200, True),
    }
    effect = f"{URL}/{sales['id']}/effect"
    read = {role: await _status(c, role, "GET", effect) for role in ROLES}
    assert read == {
        "anonymous": 401,
        "display": 403,
        "employee": 403,
        "sales_champion": 200,
        "finance_champion": 404,
        "reader": 200,
        "admin": 200,
    }
    options = await world.client.get(f"{URL}/options", headers=c.sales_champion.headers)
    assert options.json() == {"departments": ["Sales"], "may_record": True}
    options = await world.client.get(f"{URL}/options", headers=c.admin.headers)
    assert options.json() == {"departments": ["Finance", "HR", "Sales"], "may_record": True}
    options = await world.client.get(f"{URL}/options", headers=c.reader.headers)
    assert options.json() == {"departments": [], "may_record": False}

    withdraw = f"{URL}/{sales['id']}"
    refused = {
        role: await _status(c, role, "DELETE", withdraw)
        for role in ("anonymous", "display", "employee", "finance_champion", "reader")
    }
    assert refused == {
        "anonymous": 401,
        "display": 403,
        "employee": 403,
        "finance_champion": 403,
        "reader": 403,
    }
    assert await _status(c, "sales_champion", "DELETE", withdraw) == 204
    assert await _status(c, "admin", "DELETE", withdraw) == 204  # again: no change
    assert await _status(c, "admin", "GET", effect) == 404
    listed_after = (await world.client.get(URL, headers=c.admin.headers)).json()
    assert sales["id"] not in [row["id"] for row in listed_after]
    by_admin = await record(c, "admin")
    assert await _status(c, "sales_champion", "DELETE", f"{URL}/{by_admin['id']}") == 403
    assert await _status(c, "admin", "DELETE", f"{URL}/{by_admin['id']}") == 204
    assert await _status(c, "admin", "DELETE", f"{URL}/{uuid.uuid4()}") == 404


async def test_the_same_campaign_sent_at_once_many_times_is_stored_once(world: World) -> None:
    c = await cast(world)
    sent = body()
    answers = await asyncio.gather(
        *(world.client.post(URL, json=sent, headers=c.admin.headers) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.text for a in answers}) == 1
    listed = (await world.client.get(URL, headers=c.admin.headers)).json()
    assert [row["id"] for row in listed] == [sent["id"]]
