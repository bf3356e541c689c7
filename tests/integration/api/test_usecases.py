"""The use-case library over HTTP: loaded on start, filtered, edited by admins and
champions with versions; "I tried this" confirmed by usage; what to try next."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.library import UseCaseVersion, built_in
from shared.events import RecognitionKind
from shared.periods import local_date
from tests.integration.api.community_world import Actor, Community, community  # noqa: F401

pytestmark = pytest.mark.asyncio


def content(**fields: Any) -> dict[str, Any]:
    text = {"nl": "Notulen", "en": "Minutes", "fr": "Procès-verbal"}
    return {
        "department": "Sales",
        "function": "sales",
        "app": "teams",
        "kpi": {"nl": "Minuten", "en": "Minutes", "fr": "Minutes"},
        "title": text,
        "description": text,
        "prompts": {"nl": ["Vat samen"], "en": ["Summarise"], "fr": ["Résume"]},
    } | fields


def today(community: Community) -> Any:  # noqa: F811
    return local_date(datetime.now(UTC), community.settings.tz)


async def test_the_built_in_library_is_there_in_every_language(community: Community) -> None:  # noqa: F811
    me = await community.person("Reader")
    for lang in ("nl", "en", "fr"):
        listed = await community.client.get(f"/api/usecases?lang={lang}", headers=me.headers)
        assert listed.status_code == 200
        assert [u["id"] for u in listed.json()] == [use_case for use_case, _ in built_in()]
        first = listed.json()[0]
        assert first["title"] == built_in()[0][1].title.get(lang)
        assert first["prompts"] and first["kpi"] and first["points"] == 15
    excel = await community.client.get("/api/usecases?app=excel", headers=me.headers)
    assert {u["app"] for u in excel.json()} == {"excel"} and len(excel.json()) == 2
    legal = await community.client.get("/api/usecases?function=legal", headers=me.headers)
    assert {u["function"] for u in legal.json()} == {"legal", "any"}


async def test_champions_and_admins_edit_with_versions_and_retries_are_harmless(
    community: Community,  # noqa: F811
) -> None:
    champion = await community.person("Chris", "Sales")
    await community.champion(champion, "Sales")
    other = await community.person("Lea", "Legal")
    await community.champion(other, "Legal")
    admin = await community.person("Ada", roles=["Admin"])
    employee = await community.person("Emma")
    body = {"id": "sales-call-notes", **content()}

    assert (
        await community.client.post("/api/usecases", json=body, headers=employee.headers)
    ).status_code == 403
    assert (
        await community.client.post("/api/usecases", json=body, headers=other.headers)
    ).status_code == 403
    made = await community.client.post("/api/usecases", json=body, headers=champion.headers)
    assert (made.status_code, made.json()["version"]) == (201, 1)
    again = await community.client.post("/api/usecases", json=body, headers=champion.headers)
    assert (again.status_code, again.json()["version"]) == (200, 1)
    changed = {"id": "sales-call-notes", **content(app="outlook")}
    assert (
        await community.client.post("/api/usecases", json=changed, headers=admin.headers)
    ).status_code == 409

    url = "/api/usecases/sales-call-notes"
    edit = {"version": 1, **content(app="outlook")}
    first = await community.client.put(url, json=edit, headers=champion.headers)
    retry = await community.client.put(url, json=edit, headers=champion.headers)
    assert (first.json()["version"], retry.json()["version"]) == (2, 2)
    stale = {"version": 1, **content(app="word")}
    assert (await community.client.put(url, json=stale, headers=admin.headers)).status_code == 409
    moved = {"version": 2, **content(department="Legal")}
    assert (
        await community.client.put(url, json=moved, headers=champion.headers)
    ).status_code == 403
    assert (await community.client.put(url, json=moved, headers=admin.headers)).json()[
        "version"
    ] == 3

    assert (await community.client.delete(url, headers=champion.headers)).status_code == 403
    deleted = await community.client.delete(url, headers=other.headers)
    assert (deleted.json()["deleted"], deleted.json()["version"]) == (True, 4)
    assert (await community.client.delete(url, headers=other.headers)).json()["version"] == 4
    listed = await community.client.get("/api/usecases", headers=employee.headers)
    assert "sales-call-notes" not in [u["id"] for u in listed.json()]
    assert (
        await community.client.put(url, json={"version": 4, **content()}, headers=admin.headers)
    ).status_code == 404
    async with AsyncSession(community.engine) as session:
        versions = (
            await session.exec(
                select(UseCaseVersion).where(UseCaseVersion.use_case == "sales-call-notes")
            )
        ).all()
    assert [(v.version, v.deleted) for v in versions] == [
        (1, False),
        (2, False),
        (3, False),
        (4, True),
    ]


async def test_a_department_sees_its_own_use_cases_and_everyone_s(community: Community) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    body = {"id": "legal-clauses", **content(department="Legal", function="legal")}
    assert (
        await community.client.post("/api/usecases", json=body, headers=admin.headers)
    ).is_success
    legal = await community.client.get("/api/usecases?department=Legal", headers=admin.headers)
    sales = await community.client.get("/api/usecases?department=Sales", headers=admin.headers)
    assert "legal-clauses" in [u["id"] for u in legal.json()]
    assert "legal-clauses" not in [u["id"] for u in sales.json()]
    assert len(legal.json()) == len(sales.json()) + 1


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "Bad Id"},
        {"app": "notepad"},
        {"function": "astrology"},
        {"title": {"nl": "x", "en": "y"}},
        {"prompts": {"nl": [], "en": ["a"], "fr": ["b"]}},
        {"prompts": {"nl": ["a"] * 6, "en": ["a"], "fr": ["b"]}},
    ],
)
async def test_invalid_use_cases_are_422(community: Community, fields: dict[str, Any]) -> None:  # noqa: F811
    admin = await community.person("Ada", roles=["Admin"])
    body = {"id": "valid-id", **content()} | fields
    assert (
        await community.client.post("/api/usecases", json=body, headers=admin.headers)
    ).status_code == 422


async def test_a_try_is_confirmed_by_usage_of_the_app_and_paid_once(community: Community) -> None:  # noqa: F811
    me = await community.person("Tess Tryer")
    url = "/api/usecases/excel-formula-help/tried?lang=en"
    first = await community.client.post(url, headers=me.headers)
    again = await community.client.post(url, headers=me.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["status"] == "pending"
    assert first.json()["confirm_by"] == (today(community) + timedelta(days=6)).isoformat()
    await community.used(me, "word", today(community))  # another app: no
    listed = (await community.client.get("/api/me/tries", headers=me.headers)).json()
    assert [(t["use_case"], t["status"]) for t in listed] == [("excel-formula-help", "pending")]
    await community.used(me, "excel", today(community) - timedelta(days=1))  # before: no
    listed = (await community.client.get("/api/me/tries", headers=me.headers)).json()
    assert listed[0]["status"] == "pending"
    await community.used(me, "excel", today(community))
    listed = (await community.client.get("/api/me/tries", headers=me.headers)).json()
    assert (listed[0]["status"], listed[0]["confirmed_on"]) == (
        "confirmed",
        today(community).isoformat(),
    )
    assert (await community.client.get("/api/me/tries", headers=me.headers)).json() == listed
    grants = await community.grants()
    grant = grants[f"usecase:excel-formula-help:{me.person}"]
    assert (grant.kind, grant.points, grant.person) == (
        RecognitionKind.USE_CASE.value,
        15,
        me.person,
    )
    assert len(grants) == 1
    assert (
        await community.client.post("/api/usecases/no-such-thing/tried", headers=me.headers)
    ).status_code == 404


async def test_suggestions_are_use_cases_in_apps_not_used_yet(community: Community) -> None:  # noqa: F811
    me = await community.person("Sam Suggest", "Sales")
    for app in ("teams", "outlook", "chat", "word"):
        await community.used(me, app, today(community))
    answer = await community.client.get("/api/me/suggestions?lang=nl&limit=4", headers=me.headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["apps_used"] == ["chat", "outlook", "teams", "word"]
    assert [s["app"] for s in body["suggestions"]] == ["excel", "powerpoint", "onenote", "loop"]
    assert all(s["reason"] == "new_app" and s["points"] == 15 for s in body["suggestions"])
    assert body["suggestions"][0]["title"] == built_in()[5][1].title.nl
    await community.client.post("/api/usecases/excel-formula-help/tried", headers=me.headers)
    await community.used(me, "excel", today(community))
    await community.client.get("/api/me/tries", headers=me.headers)
    later = (await community.client.get("/api/me/suggestions?limit=10", headers=me.headers)).json()
    ids = [s["id"] for s in later["suggestions"]]
    assert "excel-formula-help" not in ids
    assert [s["reason"] for s in later["suggestions"]] == ["new_app"] * 3 + ["not_tried"] * 7


@pytest.fixture
def api_settings(api_settings: Any) -> Any:
    """Sweeps every second, so that the gateway's own sweep is seen at work."""
    return api_settings.model_copy(update={"api_usecase_sweep_seconds": 1.0})


async def test_the_gateway_confirms_tries_in_the_background(community: Community) -> None:  # noqa: F811
    me = await community.person("Bea Background")
    tried = await community.client.post("/api/usecases/loop-project-plan/tried", headers=me.headers)
    assert tried.status_code == 201
    await community.used(me, "loop", today(community))
    grant = f"usecase:loop-project-plan:{me.person}"
    async with asyncio.timeout(30):
        while grant not in await community.grants():
            await asyncio.sleep(0.1)
    assert (await community.grants())[grant].points == 15
