"""``/api/insights/adoption`` once the insight tables are built: the same response,
read from the per-person weeks and the cube instead of every stored signal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.cockpit.adoption import adoption_from_cube
from services.api.insights import Options
from services.scoring.insights.refresher import Refresher, prepare
from shared.insight_tables import (
    ANY_APP,
    DayCell,
    Population,
    Refresh,
    UsageWeek,
    WeekCell,
    week_of,
    weekday_bit,
)
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, team_of
from tests.integration.api.tenant import Tenant


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_usage(engine: AsyncEngine, facts: list[tuple[str, date, str, int]]) -> None:
    """(person, day, app, actions) facts as scoring keeps them per person, week and app."""
    weeks: dict[tuple[str, date, str], list[int]] = defaultdict(lambda: [0, 0])
    for person, day, app, actions in facts:
        cell = weeks[person, week_of(day), app]
        cell[0] += actions
        cell[1] |= weekday_bit(day)
    async with AsyncSession(engine) as session:
        session.add_all(
            UsageWeek(person=p, week=w, app=a, actions=n, days=d)
            for (p, w, a), (n, d) in weeks.items()
        )
        await session.commit()


async def test_adoption_reads_the_insight_tables_once_they_are_built(
    client: httpx.AsyncClient, engine: AsyncEngine, api_settings: ApiSettings, tenant: Tenant
) -> None:
    day = today(api_settings.tz)
    await add_people(
        engine,
        [
            *team_of("Alpha", 8),  # department Sales
            *team_of("Beta", 3, department="Legal"),
            Person(person="p-nolicence", licensed=False),
        ],
    )
    habitual = [("p-alpha-3", day - timedelta(days=n), "chat", 1) for n in range(14)]
    await add_usage(
        engine,
        [
            ("p-alpha-0", day, "word", 3),
            ("p-alpha-0", day, "teams", 2),  # the same day in another app: one day
            ("p-alpha-1", day - timedelta(days=27), "word", 1),  # the first day in
            ("p-alpha-2", day - timedelta(days=28), "word", 1),  # a day too early
            ("p-nolicence", day, "word", 1),  # not licensed
            *habitual,
        ],
    )
    last = week_of(day) - timedelta(weeks=1)
    async with AsyncSession(engine) as session:
        session.add_all(
            [
                Population(department="Sales", function="", licensed=8),
                Population(department="Legal", function="", licensed=3),
                WeekCell(
                    week=last,
                    department="Sales",
                    function="",
                    app=ANY_APP,
                    people=4,
                    actions=9,
                    person_days=5,
                ),
                WeekCell(
                    week=last - timedelta(weeks=1),
                    department="Sales",
                    function="",
                    app=ANY_APP,
                    people=2,
                    actions=3,
                    person_days=2,
                ),
                WeekCell(
                    week=last,
                    department="Legal",
                    function="",
                    app=ANY_APP,
                    people=1,
                    actions=1,
                    person_days=1,
                ),
                DayCell(day=day - timedelta(days=1), department="Sales", function="", people=3),
                Refresh(
                    refreshed_at=datetime.now(UTC),
                    first_day=day - timedelta(days=90),
                    last_day=day - timedelta(days=1),
                    segments_until=last + timedelta(days=6),
                    segment_weeks=12,
                ),
            ]
        )
        await session.commit()

    reader = bearer(tenant.token(roles=["Insights.Read"]))
    body = (await client.get("/api/insights/adoption", headers=reader)).json()

    assert body["active_28d"] == 3  # alpha-0, alpha-1 and alpha-3
    assert {a["app"]: (a["active_people"], a["actions"]) for a in body["by_app"]} == {
        "chat": (None, 14),  # one person: fewer than the minimum group size
        "word": (None, 4),
        "teams": (None, 2),
    }
    segments = {s["segment"]: s["people"] for s in body["segments"]}
    assert segments == {"not_started": 8, "trying": 2, "regular": 0, "habitual": 1}
    assert [
        (g["group"], g["active"], g["previous_rate"], g["trend"]) for g in body["by_department"]
    ] == [("Sales", 4, 0.25, "growing")]
    assert body["hidden_groups"] == 1 and body["by_team"] == []
    assert {d["day"]: d["active_people"] for d in body["daily"]}[
        (day - timedelta(days=1)).isoformat()
    ] == 3
    assert body["assisted_hours_28d"] == round(body["actions_28d"] * 6 / 60, 1)
    assert body["licensed"] == 11  # the headline: the screen's figures, from the directory


RECENT_FIELDS = {"active_28d", "by_app", "segments", "actions_28d", "assisted_hours_28d"}


async def test_the_28_days_read_from_the_cube_equal_those_counted_from_the_usage_weeks(
    engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    day = today(api_settings.tz)
    options = Options(min_group_size=5, minutes_per_action=6.0)
    await add_people(engine, [*team_of("Alpha", 8), *team_of("Beta", 6, department="Legal")])
    await add_usage(
        engine,
        [
            *[(f"p-alpha-{n}", day - timedelta(days=n), "word", n + 1) for n in range(6)],
            *[(f"p-beta-{n}", day - timedelta(days=n * 5), "excel", 2) for n in range(6)],
            *[("p-beta-0", day - timedelta(days=n), "chat", 1) for n in range(0, 30, 2)],
            ("p-alpha-7", day - timedelta(days=28), "word", 9),  # a day too early
            ("p-alpha-6", day - timedelta(days=27), "teams", 4),  # the first day in
        ],
    )
    await prepare(engine)
    await Refresher(engine, api_settings.tz, clock=lambda: day - timedelta(days=1)).refresh()
    counted = await adoption_from_cube(engine, day, options)  # a cube of yesterday
    await Refresher(engine, api_settings.tz, clock=lambda: day).refresh()
    read = await adoption_from_cube(engine, day, options)  # today's: its 28 days

    assert counted is not None and read is not None
    assert read.model_dump(include=RECENT_FIELDS) == counted.model_dump(include=RECENT_FIELDS)
    assert read.active_28d == 13  # all but p-alpha-7
    assert {a.app: a.active_people for a in read.by_app} == {
        "word": 6,
        "excel": 6,
        "chat": None,  # one person: fewer than the minimum group size
        "teams": None,
    }
    assert {s.segment: s.people for s in read.segments} == {
        "not_started": 1,
        "trying": 12,
        "regular": 0,
        "habitual": 1,  # p-beta-0: 14 chat days in the 28, one with excel too
    }
