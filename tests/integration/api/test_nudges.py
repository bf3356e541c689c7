"""Nudges over real HTTP and SQL (SQLite and PostgreSQL): this week's list from the cube,
departments not shown, posting a nudge through the outbox (and onto JetStream), once per
department and app per week, idempotent, and who may do what."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.clock import current_time
from services.api.community.tries import UseCaseTry
from services.api.deps import get_today
from services.api.nudges.posts import AlreadyPosted, NudgePost, Suggested, as_utc, post
from services.api.outbox import OutboxEvent
from shared.events import AdoptionGap, App, TipPosted, parse_event
from shared.insight_tables import NONE, Population, Refresh, WeekCell
from tests.integration.api.community_world import (  # noqa: F401
    Actor,
    Community,
    Heard,
    community,
    heard,
    new_id,
)

pytestmark = pytest.mark.asyncio

THURSDAY = date(2026, 12, 3)  # compares the weeks of 2 to 29 November
MONDAYS = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
URL = "/api/insights/nudges"
POST = "/api/insights/nudges/post"
OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]
POSTS = NudgePost.__table__  # type: ignore[attr-defined]


async def fill_cube(engine: AsyncEngine) -> None:
    """Finance lags in Excel (10 % against 37.5 %); Sales leads; Legal is too small; five
    people have no department."""
    licensed = {"Finance": 20, "Sales": 20, "Legal": 3, NONE: 5}
    weekly = {
        ("Finance", "excel"): 2,
        ("Sales", "excel"): 16,
        ("Finance", "word"): 9,
        ("Sales", "word"): 10,
        ("Legal", "excel"): 0,
        (NONE, "excel"): 0,
    }
    async with AsyncSession(engine) as session:
        for department, n in licensed.items():
            session.add(Population(department=department, function="", licensed=n))
        for monday in MONDAYS:
            for (department, app), people in weekly.items():
                session.add(
                    WeekCell(
                        week=monday,
                        department=department,
                        function="",
                        app=app,
                        people=people,
                        actions=people * 3,
                        person_days=people,
                    )
                )
        session.add(
            Refresh(
                first_day=date(2026, 9, 1),
                last_day=date(2026, 12, 2),
                segments_until=date(2026, 11, 29),
                segment_weeks=4,
            )
        )
        await session.commit()


async def confirmed_try(engine: AsyncEngine, person: str, use_case: str) -> None:
    async with AsyncSession(engine) as session:
        session.add(
            UseCaseTry(
                person=person,
                use_case=use_case,
                tried_on=date(2026, 11, 10),
                app="excel",
                confirmed_on=date(2026, 11, 11),
            )
        )
        await session.commit()


@pytest.fixture
async def lead(community: Community) -> Actor:  # noqa: F811
    community.app.dependency_overrides[get_today] = lambda: THURSDAY
    community.app.dependency_overrides[current_time] = lambda: NOW
    return await community.person("Lea Lead", "Sales", roles=["Insights.Read"])


async def outbox_tips(engine: AsyncEngine) -> list[TipPosted]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(OUTBOX.c.body))).scalars().all()
    events = [parse_event(body.encode()) for body in rows]
    return [e.data for e in events if isinstance(e.data, TipPosted)]


async def posts(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(POSTS))).scalar_one())


def body(**more: str) -> dict[str, str]:
    return {
        "client_id": str(uuid.uuid4()),
        "department": "Finance",
        "app": "excel",
        "use_case": "excel-formula-help",
        **more,
    }


async def test_before_the_cube_is_built_the_list_is_empty_and_nothing_can_be_posted(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    answer = await community.client.get(URL, headers=lead.headers)
    assert answer.status_code == 200
    assert answer.json()["built"] is False and answer.json()["departments"] == []
    refused = await community.client.post(POST, json=body(), headers=lead.headers)
    assert refused.status_code == 409 and "cube" in refused.json()["detail"]


async def test_the_weeks_list_shows_gaps_with_a_use_case_and_hides_small_departments(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    answer = await community.client.get(f"{URL}?lang=fr", headers=lead.headers)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    found = answer.json()
    assert found["built"] is True
    assert (found["since"], found["until"], found["weeks"], found["week"]) == (
        "2026-11-02",
        "2026-11-29",
        4,
        "2026-11-30",
    )
    [finance] = found["departments"]
    assert finance["department"] == "Finance"
    [excel] = finance["nudges"]
    assert excel["app"] == "excel"
    assert excel["department_rate"] == pytest.approx(0.10)
    assert excel["organisation_rate"] == pytest.approx(18 / 48)
    assert excel["gap_points"] == 27.5
    # No confirmations yet: the library's first Excel use case, titled in French.
    assert excel["use_case"]["id"] == "excel-formula-help"
    assert excel["use_case"]["reason"] == "library" and excel["use_case"]["leaders"] == []
    assert excel["use_case"]["title"] and excel["use_case"]["prompt"]
    assert excel["posted"] is None
    assert found["on_track"] == ["Sales"]
    assert found["hidden"] == [
        {"department": "", "reason": "no_department"},
        {"department": "Legal", "reason": "small"},
    ]
    assert "Legal" not in str(found["departments"])


async def test_the_use_case_most_confirmed_where_the_app_works_best_is_suggested(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    sales = [await community.person(f"Sales {i}", "Sales") for i in range(2)]
    finance = [await community.person(f"Finance {i}", "Finance") for i in range(3)]
    for person in sales:
        await confirmed_try(community.engine, person.person, "excel-analysis-trends")
    for person in finance:  # Finance lags: what its people confirmed does not count
        await confirmed_try(community.engine, person.person, "excel-formula-help")
    found = (await community.client.get(f"{URL}?lang=en", headers=lead.headers)).json()
    use_case = found["departments"][0]["nudges"][0]["use_case"]
    assert use_case["id"] == "excel-analysis-trends"
    assert use_case["reason"] == "confirmed" and use_case["leaders"] == ["Sales"]


async def test_a_post_writes_the_record_and_its_tip_once_a_week_and_is_idempotent(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    first = body()
    answer = await community.client.post(POST, json=first, headers=lead.headers)
    assert answer.status_code == 201, answer.text
    posted = answer.json()
    assert posted["week"] == "2026-11-30" and posted["department"] == "Finance"
    assert posted["gap"] == {
        "app": "excel",
        "department_rate": pytest.approx(0.1),
        "organisation_rate": pytest.approx(0.375),
        "weeks": 4,
        "until": "2026-11-29",
    }
    again = await community.client.post(POST, json=first, headers=lead.headers)
    assert again.status_code == 200 and again.json() == posted

    second = await community.client.post(POST, json=body(), headers=lead.headers)
    assert second.status_code == 409
    assert second.json()["posted_at"] == posted["posted_at"]
    assert await posts(community.engine) == 1

    listed = (await community.client.get(URL, headers=lead.headers)).json()
    assert listed["departments"][0]["nudges"][0]["posted"]["posted_at"] == posted["posted_at"]

    # The next week is a new week: the same nudge may be posted again.
    community.app.dependency_overrides[get_today] = lambda: THURSDAY + timedelta(days=7)
    next_week = await community.client.post(POST, json=body(), headers=lead.headers)
    assert next_week.status_code == 201 and next_week.json()["week"] == "2026-12-07"


async def test_a_post_never_takes_the_gap_or_the_department_from_the_client(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    client = community.client
    tampered = body() | {"gap": {"department_rate": 0}}
    assert (await client.post(POST, json=tampered, headers=lead.headers)).status_code == 422
    checks = [
        (body(department="Legal"), 409),  # too small to be shown
        (body(department="Sales"), 409),  # no gap in Excel
        (body(app="word"), 409),  # Finance has no Word nudge
        (body(department="Nowhere"), 404),
        (body(use_case="word-first-draft"), 409),  # a Word use case for an Excel gap
        (body(use_case="no-such-case"), 404),
        (body(client_id="short"), 422),
    ]
    for sent, expected in checks:
        answer = await client.post(POST, json=sent, headers=lead.headers)
        assert answer.status_code == expected, (sent, answer.text)
    assert await posts(community.engine) == 0


async def test_a_posted_nudge_reaches_the_community_stream(
    heard: Heard,  # noqa: F811
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    sent = body()
    answer = await community.client.post(POST, json=sent, headers=lead.headers)
    assert answer.status_code == 201
    retried = await community.client.post(POST, json=sent, headers=lead.headers)
    assert retried.status_code == 200
    second = await community.client.post(POST, json=body(), headers=lead.headers)
    assert second.status_code == 409
    [tip] = await heard.events("community.tip", 1)  # fails if more than one comes
    assert isinstance(tip, TipPosted)
    assert (tip.department, tip.app.value, tip.tip) == ("Finance", "excel", answer.json()["tip"])
    assert tip.use_case == "excel-formula-help" and tip.sent_by is None
    assert set(tip.titles) == {"nl", "en", "fr"} and tip.prompts["en"]
    assert tip.gap == AdoptionGap(
        app=App.EXCEL,
        department_rate=0.1,
        organisation_rate=0.375,
        weeks=4,
        until=date(2026, 11, 29),
    )


async def test_the_post_and_its_tip_commit_together_or_not_at_all(engine: AsyncEngine) -> None:
    gap = AdoptionGap(
        app=App.EXCEL, department_rate=0.1, organisation_rate=0.4, weeks=4, until=date(2026, 11, 29)
    )
    use_case = Suggested("excel-formula-help", {"en": "Formulas"}, {"en": ["Explain this"]})
    sent = {
        "client_id": new_id(),
        "department": "Finance",
        "week": date(2026, 11, 30),
        "gap": gap,
        "use_case": use_case,
        "posted_by": "p-lead",
        "now": NOW,
    }
    async with AsyncSession(engine) as session:
        await post(session, **sent)  # type: ignore[arg-type]
        await session.rollback()
    assert await posts(engine) == 0 and await outbox_tips(engine) == []
    async with AsyncSession(engine, expire_on_commit=False) as session:
        row, created = await post(session, **sent)  # type: ignore[arg-type]
        await session.commit()
    assert created and await posts(engine) == 1
    [tip] = await outbox_tips(engine)
    assert (tip.tip, tip.department, tip.gap, tip.sent_by) == (row.tip, "Finance", gap, None)
    async with AsyncSession(engine) as session:
        again, created = await post(session, **sent)  # type: ignore[arg-type]
        assert not created and as_utc(again.posted_at) == NOW
        with pytest.raises(AlreadyPosted):
            await post(session, **(sent | {"client_id": new_id()}))  # type: ignore[arg-type]


ROLES = ("anonymous", "screen", "employee", "champion", "insights", "admin")
READS = {"anonymous": 401, "screen": 403, "employee": 403, "champion": 403}


async def test_only_adoption_leads_and_admins_see_and_post_nudges(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    champion = await community.person("Chris Champion", "Finance")
    await community.champion(champion, "Finance")
    admin = await community.person("Ada Admin", "Legal", roles=["Admin"])
    headers: dict[str, dict[str, str]] = {
        "anonymous": {},
        "screen": {"Authorization": f"Bearer {await community.display_token()}"},
        "employee": (await community.person("Emma Employee", "Finance")).headers,
        "champion": champion.headers,
        "insights": lead.headers,
        "admin": admin.headers,
    }
    client: httpx.AsyncClient = community.client
    for role in ROLES:
        read = await client.get(URL, headers=headers[role])
        assert read.status_code == READS.get(role, 200), role
        apps = {"insights": "excel", "admin": "word"}
        sent = await client.post(
            POST, json=body(app=apps.get(role, "excel")), headers=headers[role]
        )
        expected = {"insights": 201, "admin": 409}.get(role, READS.get(role))
        assert sent.status_code == expected, (role, sent.text)
    assert await posts(community.engine) == 1


async def test_two_leads_posting_at_once_post_one_nudge(
    community: Community,  # noqa: F811
    lead: Actor,
) -> None:
    await fill_cube(community.engine)
    other = await community.person("Olga Other Lead", "Finance", roles=["Insights.Read"])
    same = body()
    sends = [(same, lead), (same, lead), (body(), other), (body(), lead)]
    answers = await asyncio.gather(
        *(community.client.post(POST, json=sent, headers=who.headers) for sent, who in sends)
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(201) == 1 and await posts(community.engine) == 1
    assert set(codes) <= {200, 201, 409}
