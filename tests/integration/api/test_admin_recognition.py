"""Granting points through the gateway, listing and revoking them as an admin, and the
way from a grant to the ledger and back: gateway table, outbox, JetStream, scoring."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.api import recognition
from services.api.outbox import OutboxEvent
from services.api.recognition import GrantRefused, PersonErased
from services.scoring import admin as rules_admin
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook, default_source
from services.scoring.scorer import Scorer
from shared import suppression
from shared.events import RecognitionKind, parse_event
from shared.ids import pseudonym
from shared.periods import today
from shared.settings import ApiSettings
from shared.streams import SIGNALS
from tests.integration.api.tenant import Tenant

OID = "0b6c3a8e-2222-4333-8444-555566667777"
DAY = date(2026, 11, 12)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def grant(engine: AsyncEngine, grant_id: str, **fields: Any) -> Any:
    base: dict[str, Any] = {
        "person": "p-aaaaaaaaaaaaaaaaaaaaaaaa",
        "kind": RecognitionKind.KUDOS,
        "day": DAY,
        "title": "Helped with a prompt",
        "granted_by": "p-bbbbbbbbbbbbbbbbbbbbbbbb",
    }
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        return await recognition.grant(session, grant=grant_id, **(base | fields))


async def outbox(engine: AsyncEngine) -> list[Any]:
    async with AsyncSession(engine) as session:
        rows = (await session.execute(select(OutboxEvent).order_by(OutboxEvent.seq))).scalars()  # type: ignore[arg-type]
        return [parse_event(row.body) for row in rows]


async def test_a_grant_is_written_once_with_its_event_and_the_rules_points(
    engine: AsyncEngine,
) -> None:
    # Before any rule set is published the defaults apply.
    first = await grant(engine, "kudos:k1")
    again = await grant(engine, "kudos:k1", points=99, title="something else")
    assert first.points == 5 and again == first
    assert first.granted_by is None  # the granter stays in the gateway's table

    source = default_source().replace("kudos: 5 ", "kudos: 7 ")
    await rules_admin.publish(engine, None, source, ZoneInfo("UTC"))
    assert (await grant(engine, "kudos:k2")).points == 7
    assert (
        await grant(engine, "activity:a1", kind=RecognitionKind.ACTIVITY, points=100)
    ).points == 100
    with pytest.raises(GrantRefused):
        await grant(engine, "activity:a2", kind=RecognitionKind.ACTIVITY, points=101)
    with pytest.raises(GrantRefused):
        await grant(engine, "kudos:k3", points=-1)

    events = await outbox(engine)
    assert [(e.type, e.data.grant, e.data.points) for e in events] == [
        ("recognition.granted", "kudos:k1", 5),
        ("recognition.granted", "kudos:k2", 7),
        ("recognition.granted", "activity:a1", 100),
    ]
    async with AsyncSession(engine) as session:
        row = await recognition.find(session, "kudos:k1")
    assert row is not None and row.granted_by == "p-bbbbbbbbbbbbbbbbbbbbbbbb"


async def test_concurrent_grants_of_one_id_write_one_row_and_one_event(engine: AsyncEngine) -> None:
    results = await asyncio.gather(
        *(grant(engine, "claim:c1:p-a", kind=RecognitionKind.CLAIM) for _ in range(4))
    )
    assert all(r == results[0] for r in results)
    async with AsyncSession(engine) as session:
        count = await session.scalar(select(func.count()).select_from(OutboxEvent))
    assert count == 1


async def test_an_erased_person_is_granted_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, "p-cccccccccccccccccccccccc", ["p-cccccccccccccccccccccccc"])
    with pytest.raises(PersonErased):
        await grant(engine, "kudos:k9", person="p-cccccccccccccccccccccccc")
    assert await outbox(engine) == []


async def test_only_admins_list_and_revoke(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine
) -> None:
    await grant(engine, "kudos:k1")
    admin = bearer(tenant.token(roles=["Admin"]))
    issued = await client.post("/api/admin/display-tokens", json={"label": "lobby"}, headers=admin)
    display = bearer(issued.json()["token"])
    callers = {
        "anonymous": ({}, 401),
        "display": (display, 403),
        "employee": (bearer(tenant.token()), 403),
        "insights": (bearer(tenant.token(roles=["Insights.Read"])), 403),
    }
    for name, (headers, expected) in callers.items():
        listed = await client.get("/api/admin/recognition", headers=headers)
        revoked = await client.post(
            "/api/admin/recognition/kudos:k1/revoke", json={"reason": "x"}, headers=headers
        )
        assert (name, listed.status_code, revoked.status_code) == (name, expected, expected)
    assert (await client.get("/api/admin/recognition", headers=admin)).status_code == 200
    answer = await client.post(
        "/api/admin/recognition/kudos:k1/revoke", json={"reason": "x"}, headers=admin
    )
    assert answer.status_code == 200


async def test_an_admin_lists_filters_and_reports_grants(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    me = pseudonym(OID, api_settings.pseudonym_key.get_secret_value())
    await grant(engine, "kudos:k1", person=me, day=date(2026, 11, 3))
    await grant(engine, "story:s1", person=me, kind=RecognitionKind.STORY, day=date(2026, 11, 9))
    await grant(engine, "kudos:k2", day=date(2026, 11, 20), title='=HYPERLINK("x")')
    admin = bearer(tenant.token(roles=["Admin"]))

    async def grants(query: str) -> list[str]:
        answer = await client.get(f"/api/admin/recognition{query}", headers=admin)
        assert answer.status_code == 200, answer.text
        return [item["grant"] for item in answer.json()]

    assert await grants("") == ["kudos:k2", "story:s1", "kudos:k1"]
    assert await grants(f"?person={me}") == ["story:s1", "kudos:k1"]
    assert await grants(f"?person={OID}") == ["story:s1", "kudos:k1"]
    assert await grants("?kind=kudos") == ["kudos:k2", "kudos:k1"]
    assert await grants("?from=2026-11-04&to=2026-11-20") == ["kudos:k2", "story:s1"]
    assert await grants("?limit=1&offset=1") == ["story:s1"]

    report = await client.get("/api/admin/recognition?format=csv&kind=kudos", headers=admin)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(r["grant"], r["points"], r["day"]) for r in rows] == [
        ("kudos:k2", "5", "2026-11-20"),
        ("kudos:k1", "5", "2026-11-03"),
    ]
    assert rows[0]["title"] == '\'=HYPERLINK("x")'  # read as text, not run as a formula

    for query in ("?kind=bribe", "?person=eve", "?limit=50001"):
        answer = await client.get(f"/api/admin/recognition{query}", headers=admin)
        assert answer.status_code == 422, query
    for query in ("?from=2026-11-05&to=2026-11-04", "?limit=5000"):
        answer = await client.get(f"/api/admin/recognition{query}", headers=admin)
        assert answer.status_code == 400, query


async def test_revoking_needs_a_reason_is_idempotent_and_knows_its_grants(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, js: JetStreamContext
) -> None:
    await grant(engine, "kudos:k1")
    admin = bearer(tenant.token(roles=["Admin"]))
    url = "/api/admin/recognition/kudos:k1/revoke"

    for body in ({}, {"reason": ""}, {"reason": "two\nlines"}, {"reason": "x" * 501}):
        assert (await client.post(url, json=body, headers=admin)).status_code == 422
    first = await client.post(url, json={"reason": "posted twice"}, headers=admin)
    again = await client.post(url, json={"reason": "changed my mind"}, headers=admin)
    missing = await client.post(
        "/api/admin/recognition/kudos:nope/revoke", json={"reason": "x"}, headers=admin
    )

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["revoke_reason"] == "posted twice" and first.json()["revoked_at"]
    assert missing.status_code == 404
    await relayed(js, 2)
    announced = [parse_event((await js.get_msg(SIGNALS.name, seq)).data or b"") for seq in (1, 2)]
    assert [(e.type, e.data.grant) for e in announced] == [
        ("recognition.granted", "kudos:k1"),
        ("recognition.revoked", "kudos:k1"),
    ]
    assert await outbox(engine) == []  # and nothing more to announce


async def drain(js: JetStreamContext, scorer: Scorer) -> None:
    await SignalConsumer(js, scorer, ConsumerSettings(fetch_timeout=0.3)).run(once=True)


async def relayed(js: JetStreamContext, count: int) -> None:
    for _ in range(500):
        if (await js.stream_info(SIGNALS.name)).state.messages >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the outbox did not relay")


async def test_a_grant_reaches_ledger_boards_and_explanation_and_a_revocation_takes_it_back(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    redis: Redis,
    js: JetStreamContext,
    api_settings: ApiSettings,
) -> None:
    tz = api_settings.tz
    await rules_admin.publish(engine, None, default_source(), tz, by="test")
    scorer = Scorer(engine, redis, js, tz, Rulebook())
    me = pseudonym(OID, api_settings.pseudonym_key.get_secret_value())
    day = today(tz)
    await grant(
        engine,
        "event:lunch:attended",
        person=me,
        kind=RecognitionKind.EVENT_ATTENDED,
        day=day,
        title="Copilot lunch and learn",
    )
    await relayed(js, 1)
    await drain(js, scorer)
    token = bearer(tenant.token(oid=OID))

    explained = (await client.get(f"/api/me/days/{day.isoformat()}", headers=token)).json()
    profile = (await client.get("/api/me", headers=token)).json()

    assert explained["points"] == 20 and explained["lines"] == []
    assert [(r["rule"], r["points"], r["title"]) for r in explained["recognition"]] == [
        ("recognition.event_attended", 20, "Copilot lunch and learn")
    ]
    assert profile["points"] == 20
    assert {s["window"]: s["points"] for s in profile["standings"]}["all"] == 20

    admin = bearer(tenant.token(roles=["Admin"]))
    revoked = await client.post(
        "/api/admin/recognition/event:lunch:attended/revoke",
        json={"reason": "did not attend"},
        headers=admin,
    )
    assert revoked.status_code == 200
    await relayed(js, 2)
    await drain(js, scorer)

    explained = (await client.get(f"/api/me/days/{day.isoformat()}", headers=token)).json()
    profile = (await client.get("/api/me", headers=token)).json()
    assert explained["points"] == 0
    assert sorted((r["points"], r["reason"]) for r in explained["recognition"]) == [
        (-20, "revoked: did not attend"),
        (20, "20 for event_attended"),
    ]
    assert profile["points"] == 0
    assert {s["window"]: s["points"] for s in profile["standings"]}["all"] == 0


async def test_export_shows_and_erasure_removes_a_persons_grants(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    me = pseudonym(OID, api_settings.pseudonym_key.get_secret_value())
    await grant(engine, "kudos:to-me", person=me)
    await grant(engine, "kudos:from-me", granted_by=me)
    admin = bearer(tenant.token(roles=["Admin"]))

    exported = (await client.get(f"/api/admin/people/{OID}/export", headers=admin)).json()
    erased = await client.delete(f"/api/admin/people/{OID}", headers=admin)

    assert [g["grant_id"] for g in exported["recognition_grants"]] == ["kudos:to-me"]
    assert erased.status_code == 200
    assert erased.json()["erased"]["recognition_grants"] == 1
    async with AsyncSession(engine) as session:
        assert await recognition.find(session, "kudos:to-me") is None
        other = await recognition.find(session, "kudos:from-me")
    assert other is not None and other.granted_by is None and other.points == 5
