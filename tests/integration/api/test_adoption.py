"""One definition of "active" through the HTTP endpoints: screen, insights, /me, report names.

Real SQL and Redis: the stored signals and unattributed facts are written as
scoring writes them, the figures read back through the gateway.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from fastapi import FastAPI
from nats.aio.client import Client
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.ingest.status import StatusBoard
from services.scoring.insights.rebuild import rebuild
from services.scoring.store.tables import StoredSignal, UnattributedFact
from shared.adoption import TENANT_WIDE_LABEL
from shared.ids import pseudonym
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores, team_of, wait_for_bus
from tests.integration.api.tenant import Tenant


async def add_signals(engine: AsyncEngine, facts: list[tuple[str, date, str]]) -> None:
    """(person, day, source) facts as scoring stores them."""
    async with AsyncSession(engine) as session:
        for number, (person, day, source) in enumerate(facts):
            session.add(
                StoredSignal(
                    person=person,
                    event_id=f"e{number}",
                    app="word",
                    kind="active_day" if source == "usage_report" else "prompt",
                    day=day,
                    at=datetime.combine(day, datetime.min.time(), UTC),
                    source=source,
                )
            )
        await session.commit()


async def build_insights(engine: AsyncEngine, settings: ApiSettings) -> None:
    """The insight tables built from the stored signals, as scoring builds them."""
    assert await rebuild(engine, settings.tz) is not None


async def add_unattributed(engine: AsyncEngine, facts: list[tuple[str, str, date]]) -> None:
    """(report identity, reason, day) facts as scoring stores them."""
    async with AsyncSession(engine) as session:
        for number, (identity, reason, day) in enumerate(facts):
            session.add(
                UnattributedFact(
                    event_id=f"u{number}",
                    report_identity=identity,
                    reason=reason,
                    app="word",
                    day=day,
                    epoch=1,
                )
            )
        await session.commit()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_screen_and_insights_give_the_same_adoption(
    client: httpx.AsyncClient,
    redis: Redis,
    engine: AsyncEngine,
    api_settings: ApiSettings,
    tenant: Tenant,
) -> None:
    day = today(api_settings.tz)
    gone = Person(person="p-gone", removed=True)
    await add_people(
        engine, [*team_of("Alpha", 8), Person(person="p-nolicence", licensed=False), gone]
    )
    await add_signals(
        engine,
        [
            ("p-alpha-0", day, "usage_report"),
            ("p-alpha-0", day - timedelta(days=2), "interaction_history"),
            ("p-alpha-1", day - timedelta(days=6), "interaction_history"),  # first day in
            ("p-alpha-2", day - timedelta(days=7), "usage_report"),  # a day too early
            ("p-nolicence", day, "usage_report"),  # not licensed
            ("p-gone", day, "usage_report"),  # left
            ("p-stranger", day, "usage_report"),  # not in the directory
        ],
    )
    await build_insights(engine, api_settings)
    # A week board holding more members than the directory has must not matter.
    week = period_key(Window.WEEK, day)
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, {f"p-{n}": 1 for n in range(12)})

    screen = (await client.get("/api/screen/adoption")).json()
    insights = (
        await client.get(
            "/api/insights/adoption", headers=bearer(tenant.token(roles=["Insights.Read"]))
        )
    ).json()

    since = day - timedelta(days=6)
    assert screen == {
        "period": f"{since.isoformat()}/{day.isoformat()}",
        "since": since.isoformat(),
        "until": day.isoformat(),
        "days": 7,
        "licensed": 8,
        "active": 2,
        "active_rate": 0.25,
    }
    assert (insights["licensed"], insights["active_7d"], insights["active_rate_7d"]) == (
        screen["licensed"],
        screen["active"],
        screen["active_rate"],
    )
    assert insights["since"] == screen["since"] and "last 7 days" in insights["definition"]
    assert insights["tenant_wide"] is None
    # From the insight tables: alpha-0, -1 and -2 in the last 28 days; the others never.
    assert insights["active_28d"] == 3
    assert insights["by_department"][0]["group"] == "Sales" and insights["by_team"] == []


async def test_unattributed_report_rows_count_once_and_only_tenant_wide(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    api_settings: ApiSettings,
    tenant: Tenant,
) -> None:
    day = today(api_settings.tz)
    await add_people(engine, team_of("Alpha", 8))
    await add_signals(
        engine,
        [("p-alpha-0", day, "interaction_history"), ("p-alpha-1", day, "interaction_history")],
    )
    await build_insights(engine, api_settings)
    concealed = [(f"r-c{n}", "concealed", day - timedelta(days=n)) for n in range(5)]
    await add_unattributed(
        engine,
        [
            *concealed,
            ("r-c0", "concealed", day - timedelta(days=1)),  # the same identity, another day
            ("r-old", "concealed", day - timedelta(days=9)),  # outside the window
            ("r-u0", "unknown_user", day),
        ],
    )
    reader = bearer(tenant.token(roles=["Insights.Read"]))

    screen = (await client.get("/api/screen/adoption")).json()
    insights = (await client.get("/api/insights/adoption", headers=reader)).json()

    assert screen["active"] == insights["active_7d"] == 2  # people only, on both
    wide = insights["tenant_wide"]
    assert wide["label"] == TENANT_WIDE_LABEL and "Tenant-wide" in wide["label"]
    assert (wide["concealed_active"], wide["unknown_active"], wide["people_active"]) == (5, 1, 2)
    assert wide["active"] == max(2, 5) + 1 and wide["licensed"] == 8 + 1

    names = await client.get("/api/insights/report-names?lang=nl", headers=reader)
    body = names.json()
    assert names.status_code == 200 and body["concealed"] is True
    assert body["source"] == "stored facts"
    assert any("verbergt gebruikersnamen" in m for m in body["messages"])
    assert any("python -m services.ingest reveal-names" in w for w in body["ways_out"])
    assert any("Display concealed user, group, and site names" in w for w in body["ways_out"])
    admin = bearer(tenant.token(roles=["Admin"]))
    assert (await client.get("/api/insights/report-names", headers=admin)).status_code == 200
    nobody = bearer(tenant.token())
    assert (await client.get("/api/insights/report-names", headers=nobody)).status_code == 403


async def test_me_says_whether_i_count_as_active(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    api_settings: ApiSettings,
    tenant: Tenant,
) -> None:
    day = today(api_settings.tz)
    key = api_settings.pseudonym_key.get_secret_value()
    active, idle = pseudonym("oid-active", key), pseudonym("oid-idle", key)
    await add_people(engine, [Person(person=active), Person(person=idle)])
    await add_signals(
        engine,
        [
            (active, day - timedelta(days=3), "usage_report"),
            (idle, day - timedelta(days=8), "usage_report"),
        ],
    )

    mine = (await client.get("/api/me", headers=bearer(tenant.token(oid="oid-active")))).json()
    theirs = (await client.get("/api/me", headers=bearer(tenant.token(oid="oid-idle")))).json()

    assert mine["active"] is True and theirs["active"] is False


async def test_report_names_follow_ingest_status_when_ingest_wrote_one(
    nc: Client, app: FastAPI, client: httpx.AsyncClient, api_settings: ApiSettings, tenant: Tenant
) -> None:
    await wait_for_bus(app)
    reader = bearer(tenant.token(roles=["Insights.Read"]))
    unknown = (await client.get("/api/insights/report-names?lang=en", headers=reader)).json()
    assert (unknown["concealed"], unknown["source"], unknown["ways_out"]) == (None, None, [])

    board = StatusBoard(None, nc.jetstream(), api_settings.ingest_status_bucket)
    board.status.concealed_names = True
    board.status.last_success = "2026-12-04T06:00:00+00:00"
    await board.save()
    said = (await client.get("/api/insights/report-names?lang=fr", headers=reader)).json()
    assert (said["concealed"], said["source"]) == (True, "ingest")
    assert said["checked_at"] == "2026-12-04T06:00:00+00:00"
    assert any("masque les noms" in m for m in said["messages"])
    assert len(said["ways_out"]) == 3

    board.status.concealed_names = False
    await board.save()
    revealed = (await client.get("/api/insights/report-names?lang=nl", headers=reader)).json()
    assert (revealed["concealed"], revealed["source"], revealed["ways_out"]) == (
        False,
        "ingest",
        [],
    )
