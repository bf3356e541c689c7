"""The cockpit's reads over the insight cube, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import insight_cube
from shared.insight_tables import ANY_APP, DayCell, Population, Refresh, SegmentCell, WeekCell

MONDAY = date(2026, 11, 23)
NEXT = date(2026, 11, 30)


async def _fill(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        session.add_all(
            [
                Population(department="Sales", function="Accountant", licensed=4),
                Population(department="Sales", function="", licensed=6),
                Population(department="Legal", function="Accountant", licensed=10),
                WeekCell(
                    week=MONDAY,
                    department="Sales",
                    function="Accountant",
                    app=ANY_APP,
                    people=2,
                    actions=9,
                    person_days=3,
                ),
                WeekCell(
                    week=MONDAY,
                    department="Sales",
                    function="Accountant",
                    app="excel",
                    people=1,
                    actions=4,
                    person_days=1,
                ),
                WeekCell(
                    week=MONDAY,
                    department="Legal",
                    function="Accountant",
                    app=ANY_APP,
                    people=5,
                    actions=20,
                    person_days=8,
                ),
                WeekCell(
                    week=NEXT,
                    department="Sales",
                    function="",
                    app=ANY_APP,
                    people=3,
                    actions=3,
                    person_days=3,
                ),
                DayCell(day=MONDAY, department="Sales", function="Accountant", people=2),
                DayCell(day=MONDAY, department="Legal", function="Accountant", people=4),
                SegmentCell(department="Sales", function="", tier="none", people=6),
                SegmentCell(department="Legal", function="Accountant", tier="none", people=6),
                SegmentCell(department="Legal", function="Accountant", tier="power", people=4),
                Refresh(
                    refreshed_at=datetime(2026, 12, 1, 6, tzinfo=UTC),
                    first_day=date(2026, 9, 1),
                    last_day=date(2026, 12, 1),
                    segments_until=date(2026, 11, 29),
                    segment_weeks=12,
                ),
            ]
        )
        await session.commit()


async def test_reads_group_the_cube_by_department_function_or_nothing(
    engine: AsyncEngine,
) -> None:
    assert await insight_cube.coverage(engine) is None
    assert await insight_cube.weekly(engine, None, MONDAY, NEXT) == []
    await _fill(engine)

    assert await insight_cube.population(engine, "department") == {"Sales": 10, "Legal": 10}
    assert await insight_cube.population(engine, "function") == {"Accountant": 14, "": 6}
    assert await insight_cube.population(engine, None) == {"": 20}

    whole = await insight_cube.weekly(engine, None, MONDAY, NEXT)
    assert [(r.week, r.people, r.actions, r.person_days) for r in whole] == [
        (MONDAY, 7, 29, 11),
        (NEXT, 3, 3, 3),
    ]
    per_app = await insight_cube.weekly(engine, "department", MONDAY, MONDAY, per_app=True)
    assert {(r.group, r.app, r.people) for r in per_app} == {
        ("Sales", ANY_APP, 2),
        ("Sales", "excel", 1),
        ("Legal", ANY_APP, 5),
    }
    days = await insight_cube.daily(engine, "function", MONDAY, MONDAY)
    assert [(d.group, d.people) for d in days] == [("Accountant", 6)]
    tiers = {(s.group, s.tier): s.people for s in await insight_cube.segments(engine, None)}
    assert tiers == {("", "none"): 12, ("", "power"): 4}
    covered = await insight_cube.coverage(engine)
    assert covered is not None and covered.segment_weeks == 12
    assert covered.segments_until == date(2026, 11, 29)
