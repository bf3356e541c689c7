"""Rule administration through the gateway, and the profile it produces for an employee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scoring.rulebook import default_source
from services.scoring.store.tables import StoredSignal
from shared.ids import pseudonym
from shared.people import Person
from shared.periods import local_date, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people
from tests.integration.api.tenant import Tenant

BRUSSELS = ZoneInfo("Europe/Brussels")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_signals(
    engine: AsyncEngine, person: str, days: list[tuple[int, str]], tz: ZoneInfo = BRUSSELS
) -> None:
    """Signals ``ago`` days back, filed under the organisation-local date as scoring files them."""
    now = datetime.now(UTC)
    async with AsyncSession(engine) as session:
        for ago, app in days:
            moment = now - timedelta(days=ago)
            session.add(
                StoredSignal(
                    event_id=f"e-{person}-{ago}-{app}",
                    person=person,
                    app=app,
                    kind="active_day",
                    day=local_date(moment, tz),
                    at=moment,
                    source="usage_report",
                )
            )
        await session.commit()


async def test_validate_preview_publish_and_roll_back(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    await add_signals(engine, "p-ann", [(0, "word"), (1, "excel")])

    bad = await client.post(
        "/api/admin/rules/validate", json={"source": "points: {daily_cap: -5}"}, headers=admin
    )
    assert bad.status_code == 200 and bad.json()["ok"] is False
    assert any("daily_cap" in p["path"] for p in bad.json()["problems"])
    assert (await client.get("/api/admin/rules", headers=admin)).status_code == 404

    preview = await client.post(
        "/api/admin/rules/preview", json={"source": default_source()}, headers=admin
    )
    assert preview.status_code == 200
    assert preview.json()["gainers"] == 1 and preview.json()["changes"][0]["person"] == "p-ann"

    published = await client.post(
        "/api/admin/rules", json={"source": default_source(), "note": "kick-off"}, headers=admin
    )
    assert published.status_code == 201 and published.json() == {"version": 1}
    current = (await client.get("/api/admin/rules", headers=admin)).json()
    assert current["version"] == 1 and current["active"] and current["note"] == "kick-off"

    invalid = await client.post("/api/admin/rules", json={"source": "levels: 7"}, headers=admin)
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"][:2] == [
        "body",
        "source",
    ]
    rolled = await client.post("/api/admin/rules/rollback", json={"version": 1}, headers=admin)
    assert rolled.status_code == 201 and rolled.json() == {"version": 2}
    history = (await client.get("/api/admin/rules/history", headers=admin)).json()
    assert [v["version"] for v in history] == [2, 1]
    missing = await client.post("/api/admin/rules/rollback", json={"version": 99}, headers=admin)
    assert missing.status_code == 404


async def test_the_profile_shows_what_scoring_awarded(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    oid = "0b6c3a8e-1111-4222-8333-444455556666"
    me = pseudonym(oid, api_settings.pseudonym_key.get_secret_value())
    await add_people(engine, [Person(person=me, display_name="Eva", team="Finance")])
    await add_signals(
        engine, me, [(0, "word"), (0, "excel"), (1, "teams"), (2, "word")], api_settings.tz
    )
    admin = bearer(tenant.token(roles=["Admin"]))
    assert (
        await client.post("/api/admin/rules", json={"source": default_source()}, headers=admin)
    ).status_code == 201
    token = bearer(tenant.token(oid=oid))

    profile = (await client.get("/api/me", headers=token)).json()

    assert profile["rules_version"] == 1 and profile["points"] > 0
    assert {"first-word", "first-excel", "first-teams"} <= {b["id"] for b in profile["badges"]}
    assert profile["level"]["level"] >= 1 and profile["active_days"] == 3
    assert profile["streak"]["current"] >= 1
    assert profile["next_goals"]
    day = today(api_settings.tz).isoformat()
    explained = (await client.get(f"/api/me/days/{day}", headers=token)).json()
    assert explained["points"] > 0 and explained["lines"]
    future = await client.get("/api/me/days/2999-01-01", headers=token)
    assert future.status_code == 404
