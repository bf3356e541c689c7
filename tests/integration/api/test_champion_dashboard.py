"""A champion's departments in aggregates, and tips sent to a department's channel."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import library
from services.scoring.store.tables import StoredSignal
from shared.events import TipPosted
from shared.people import Person
from shared.periods import local_date
from tests.integration.api.champion_world import Heard, World, clock, heard, world
from tests.integration.api.conftest import add_people

__all__ = ["clock", "heard", "world"]


async def add_usage(engine: AsyncEngine, facts: list[tuple[str, date, str]]) -> None:
    """(person, day, app) usage facts as scoring stores them."""
    async with AsyncSession(engine) as session:
        for person, day, app in facts:
            session.add(
                StoredSignal(
                    person=person,
                    event_id=uuid.uuid4().hex,
                    app=app,
                    kind="active_day",
                    day=day,
                    at=datetime.combine(day, datetime.min.time(), UTC),
                    source="usage_report",
                )
            )
        await session.commit()


def members(department: str, count: int, team: str) -> list[Person]:
    return [
        Person(
            person=f"p-{department.lower()}{team.lower()}{i:02d}".ljust(26, "0")[:26],
            display_name=f"{department} {team} {i}",
            department=department,
            team=f"{department} {team}",
        )
        for i in range(count)
    ]


async def test_the_dashboard_shows_aggregates_of_my_departments_only(world: World) -> None:
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    champion = await world.actor("Cara Champion", "Sales", team="Sales North")
    north, south = members("Sales", 6, "North"), members("Sales", 2, "South")
    legal = members("Legal", 3, "Desk")
    everyone = [(p.person, p.display_name or "") for p in [*north, *south, *legal]]
    await add_people(world.engine, [*north, *south, *legal])
    await world.champion(champion, admin, "Sales", "Legal")

    today = local_date(world.clock.now, world.settings.tz)
    await add_usage(
        world.engine,
        [
            (everyone[0][0], today, "word"),
            (everyone[1][0], today, "excel"),
            (everyone[2][0], today - timedelta(days=10), "word"),  # active last week only
            (everyone[6][0], today, "teams"),  # South
            (everyone[8][0], today, "word"),  # Legal
        ],
    )

    response = await world.client.get("/api/champions/dashboard", headers=champion.headers)
    assert response.status_code == 200, response.text
    board = response.json()
    sales, legal_figures = board["departments"]
    assert sales["department"] == "Sales" and sales["shown"] is True
    assert (sales["licensed"], sales["active"], sales["not_yet_active"]) == (9, 3, 6)
    assert sales["active_rate"] == round(3 / 9, 4)
    assert sales["weekly"][-1]["active_people"] == 3
    assert len(sales["weekly"]) >= 8
    assert {a["app"] for a in sales["apps_used"]} == {"word", "excel", "teams"}
    assert all(a["active_people"] is None for a in sales["apps_used"])  # under 5: blanked
    assert "loop" in sales["apps_unused"] and "word" not in sales["apps_unused"]
    assert [t["group"] for t in sales["teams"]] == ["Sales North"]  # South (2) is hidden
    assert sales["hidden_teams"] == 1
    assert legal_figures == {
        "department": "Legal",
        "shown": False,
        "hidden_reason": "small_group",
        "licensed": None,
        "active": None,
        "active_rate": None,
        "previous_rate": None,
        "trend": None,
        "not_yet_active": None,
        "weekly": [],
        "apps_used": [],
        "apps_unused": [],
        "teams": [],
        "hidden_teams": 0,
    }
    text = response.text
    assert not any(name in text or person in text for person, name in everyone)


async def test_tips_go_to_my_departments_a_few_a_day(heard: Heard, world: World) -> None:
    client = world.client
    await library.seed(world.engine)
    admin = await world.actor("Ada Admin", "IT", roles=["Admin"])
    champion = await world.actor("Cara Champion", "Sales")
    await world.champion(champion, admin, "Sales")

    choices = await client.get(
        "/api/champions/tips/use-cases?department=Sales&lang=en", headers=champion.headers
    )
    assert choices.status_code == 200
    use_case = choices.json()[0]
    elsewhere = await client.get(
        "/api/champions/tips/use-cases?department=IT", headers=champion.headers
    )
    assert elsewhere.status_code == 403

    def tip(department: str = "Sales") -> dict[str, str]:
        return {"id": str(uuid.uuid4()), "department": department, "use_case": use_case["id"]}

    first = tip()
    sent = await client.post("/api/champions/tips", json=first, headers=champion.headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["left_today"] == 2 and sent.json()["titles"]["en"] == use_case["title"]
    retried = await client.post("/api/champions/tips", json=first, headers=champion.headers)
    assert retried.status_code == 200 and retried.json()["id"] == first["id"]
    for _ in range(2):
        assert (
            await client.post("/api/champions/tips", json=tip(), headers=champion.headers)
        ).status_code == 201
    fourth = await client.post("/api/champions/tips", json=tip(), headers=champion.headers)
    assert fourth.status_code == 429 and int(fourth.headers["retry-after"]) > 0
    assert (
        await client.post("/api/champions/tips", json=first, headers=champion.headers)
    ).status_code == 200

    not_mine = await client.post("/api/champions/tips", json=tip("IT"), headers=champion.headers)
    assert not_mine.status_code == 403
    as_admin = await client.post("/api/champions/tips", json=tip("IT"), headers=admin.headers)
    assert as_admin.status_code == 201
    unknown = {**tip(), "use_case": "no-such-use-case"}
    assert (
        await client.post("/api/champions/tips", json=unknown, headers=champion.headers)
    ).status_code == 404

    world.clock.advance(days=1)
    assert (
        await client.post("/api/champions/tips", json=tip(), headers=champion.headers)
    ).status_code == 201

    posted = await heard.events("community.tip", 5)
    assert all(isinstance(p, TipPosted) for p in posted)
    assert [p.department for p in posted] == ["Sales", "Sales", "Sales", "IT", "Sales"]
    assert posted[0].tip == first["id"] and posted[0].sent_by == champion.person
    assert set(posted[0].titles) == {"nl", "en", "fr"} and posted[0].prompts["en"]
