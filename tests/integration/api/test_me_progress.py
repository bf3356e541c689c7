"""An employee's progress within reach and streak calendar, read from scoring's ledger and
rules through the gateway: they agree with the profile scoring computes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.resources import Resources
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.rulebook import default_rules, default_source
from shared.ids import pseudonym
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people
from tests.integration.api.tenant import Tenant

WORKING = WorkCalendar(default_rules().calendar)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def used(engine: AsyncEngine, person: str, days: list[tuple[date, str]]) -> None:
    """Stored usage signals, as scoring keeps them."""
    async with engine.begin() as conn:
        for day, app in days:
            await conn.execute(
                text(
                    "INSERT INTO scoring_signal (person, event_id, app, kind, day, at, source,"
                    " received_at) VALUES (:p, :e, :a, 'active_day', :d, :at, 'usage_report',"
                    " :at)"
                ),
                {
                    "p": person,
                    "e": uuid.uuid4().hex,
                    "a": app,
                    "d": day,
                    "at": datetime.combine(day, time(12), UTC),
                },
            )


async def publish_rules(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    answer = await client.post("/api/admin/rules", json={"source": default_source()}, headers=admin)
    assert answer.status_code == 201, answer.text


def someone(settings: ApiSettings, tenant: Tenant) -> tuple[str, dict[str, str]]:
    oid = str(uuid.uuid4())
    person = pseudonym(oid, settings.pseudonym_key.get_secret_value())
    return person, bearer(tenant.token(oid=oid))


def working_days_back(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        day -= timedelta(days=1)
        if WORKING.is_working_day(day):
            days.append(day)
    return days


async def test_the_calendar_shows_a_freeze_and_agrees_with_the_profile(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    me, token = someone(api_settings, tenant)
    await add_people(engine, [Person(person=me, display_name="Eva", team="Finance")])
    day = today(api_settings.tz)
    recent = working_days_back(day, 8)
    missed = recent[3]  # one missed working day: the default rules forgive one in ten
    await used(engine, me, [(d, "word") for d in recent if d != missed])
    await publish_rules(client, tenant)

    calendar = (await client.get("/api/me/calendar?weeks=4", headers=token)).json()
    profile = (await client.get("/api/me", headers=token)).json()

    assert calendar["current"] == profile["streak"]["current"] == 7
    assert calendar["best"] == profile["streak"]["best"]
    assert (calendar["freezes"], calendar["freeze_window"], calendar["freezes_used"]) == (1, 10, 1)
    states = {d["date"]: d["state"] for d in calendar["days"]}
    assert len(calendar["days"]) == 28 and calendar["days"][0]["date"] == calendar["start"]
    assert states[missed.isoformat()] == "frozen"
    assert all(states[d.isoformat()] == "active" for d in recent if d != missed)
    assert states[day.isoformat()] in ("today", "weekend", "holiday")
    streak = [d["date"] for d in calendar["days"] if d["in_streak"]]
    assert streak == sorted(d.isoformat() for d in recent)
    assert calendar["streak_start"] == min(recent).isoformat()


async def test_progress_lists_unearned_badges_closest_first_with_their_rules(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    me, token = someone(api_settings, tenant)
    await add_people(engine, [Person(person=me, display_name="Eva", team="Finance")])
    day = today(api_settings.tz)
    await used(engine, me, [(d, "word") for d in working_days_back(day, 3)] + [(day, "excel")])
    await publish_rules(client, tenant)

    progress = (await client.get("/api/me/progress?lang=fr", headers=token)).json()
    profile = (await client.get("/api/me?lang=fr", headers=token)).json()

    held = {b["id"] for b in profile["badges"]}
    shown = [b["id"] for b in progress["badges"]]
    assert held and not held & set(shown)
    assert progress["earned"] == len(held)
    assert len(shown) == len(default_rules().badges) - len(held)
    shares = [b["progress"] / b["target"] for b in progress["badges"]]
    assert shares == sorted(shares, reverse=True)
    explorer = next(b for b in progress["badges"] if b["id"] == "explorer-3")
    assert explorer["title"] == "Explorateur" and explorer["rule"]["type"] == "explorer"
    assert (explorer["progress"], explorer["target"], explorer["rule"]["apps"]) == (2, 3, 3)
    first_mail = next(b for b in progress["badges"] if b["id"] == "first-outlook")
    assert first_mail["rule"] == {
        "type": "first_use",
        "app": "outlook",
        "apps": None,
        "days": None,
        "window": None,
        "metric": None,
        "count": None,
    }
    level = progress["level"]
    assert level["points"] == profile["points"] and level["title"] == profile["level"]["title"]
    assert level["floor"] <= level["points"] < level["next_points"]


async def test_progress_and_calendar_need_a_person_and_published_rules(
    client: httpx.AsyncClient, tenant: Tenant, api_settings: ApiSettings
) -> None:
    _, token = someone(api_settings, tenant)
    for path in ("/api/me/progress", "/api/me/calendar"):
        assert (await client.get(path)).status_code == 401
        missing = await client.get(path, headers=token)
        assert missing.status_code == 404 and "rule set" in missing.json()["detail"]
    for weeks in (0, 54, "x"):
        answer = await client.get(f"/api/me/calendar?weeks={weeks}", headers=token)
        assert answer.status_code == 422


async def test_a_display_token_reads_no_personal_calendar(
    client: httpx.AsyncClient, tenant: Tenant, app: FastAPI
) -> None:
    resources: Resources = app.state.resources
    _, display = await resources.guard.displays.issue("lobby", None)
    await publish_rules(client, tenant)
    for path in ("/api/me/progress", "/api/me/calendar"):
        answer = await client.get(path, headers=bearer(display))
        assert answer.status_code == 403


activity = st.sets(st.integers(0, 70), max_size=45)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(back=activity)
async def test_the_calendars_streak_is_the_profiles_streak_for_any_activity(
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    api_settings: ApiSettings,
    back: set[int],
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    if (await client.get("/api/admin/rules", headers=admin)).status_code == 404:
        await publish_rules(client, tenant)
    me, token = someone(api_settings, tenant)
    day = today(api_settings.tz)
    await used(engine, me, [(day - timedelta(days=n), "word") for n in back])

    calendar = (await client.get("/api/me/calendar?weeks=12", headers=token)).json()
    profile = (await client.get("/api/me", headers=token)).json()

    streak = profile["streak"] or {"current": 0, "best": 0}
    assert (calendar["current"], calendar["best"]) == (streak["current"], streak["best"])
    active = {d["date"] for d in calendar["days"] if d["state"] == "active"}
    assert active == {
        (day - timedelta(days=n)).isoformat()
        for n in back
        if day - timedelta(days=n) >= date.fromisoformat(calendar["start"])
    }
