"""A simulated organisation's Copilot use, aggregated into the insight cube as scoring
builds it: per-person weeks are drawn first, then counted into cells, so every cell is
consistent (distinct people, person-days, tiers) the way real cells are."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.insight_tables import (
    ANY_APP,
    NONE,
    DayCell,
    Population,
    Refresh,
    SegmentCell,
    WeekCell,
    week_of,
)

APPS = {  # app: how likely an active person uses it on a day
    "teams": 0.7,
    "outlook": 0.5,
    "chat": 0.45,
    "word": 0.3,
    "excel": 0.22,
    "powerpoint": 0.15,
    "loop": 0.04,
}
DEPARTMENTS = {  # department: (people, weekly growth of the chance to use Copilot)
    "Sales": (60, 0.03),
    "Finance": (45, 0.0),
    "Legal": (30, -0.01),
    "Operations": (80, 0.012),
    "HR": (25, 0.05),
    "Research": (4, 0.02),  # below the minimum group size
    NONE: (6, 0.0),
}
FUNCTIONS = ("Account manager", "Accountant", "Lawyer", "Engineer", "Recruiter", NONE)


@dataclass
class World:
    """The cube's rows, and the truth they were counted from."""

    first_day: date
    last_day: date
    rows: list[object] = field(default_factory=list)
    licensed: dict[tuple[str, str], int] = field(default_factory=dict)


def simulate(today: date, weeks: int = 13, seed: int = 7) -> World:
    """``weeks`` full weeks ending on the Sunday before ``today``'s week, then up to today."""
    chance = random.Random(seed)
    first = week_of(today) - timedelta(weeks=weeks)
    world = World(first_day=first, last_day=today - timedelta(days=1))
    people: list[tuple[str, str, float, float, dict[str, float]]] = []
    for department, (size, growth) in DEPARTMENTS.items():
        for n in range(size):
            function = FUNCTIONS[(n * 7 + len(department)) % len(FUNCTIONS)]
            keen = chance.uniform(0.0, 0.6) ** 1.5
            taste = {app: min(1.0, share * chance.uniform(0.3, 1.7)) for app, share in APPS.items()}
            people.append((department, function, keen, growth, taste))
    licensed: dict[tuple[str, str], int] = defaultdict(int)
    for department, function, *_ in people:
        licensed[department, function] += 1
    world.licensed = dict(licensed)

    cells: dict[tuple[date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    days: dict[tuple[date, str, str], int] = defaultdict(int)
    per_person_weeks: list[list[int]] = [[] for _ in people]
    day = first
    while day <= world.last_day:
        monday = week_of(day)
        if day == monday:
            week_apps: list[dict[str, set[date]]] = [defaultdict(set) for _ in people]
        for index, (_, _, keen, growth, taste) in enumerate(people):
            if day.weekday() >= 5:
                continue
            weeks_in = (monday - first).days // 7
            if chance.random() < min(0.95, max(0.0, keen + growth * weeks_in)) * 0.45:
                for app in APPS:
                    if chance.random() < taste[app]:
                        week_apps[index][app].add(day)
        if day.weekday() == 6 or day == world.last_day:
            for index, (department, function, *_rest) in enumerate(people):
                used = week_apps[index]
                if not used:
                    per_person_weeks[index].append(0)
                    continue
                active_days = set().union(*used.values())
                total = 0
                for app, on in used.items():
                    actions = len(on) * (1 + index % 4)
                    total += actions
                    cell = cells[monday, department, function, app]
                    cell[0] += 1
                    cell[1] += actions
                    cell[2] += len(on)
                whole = cells[monday, department, function, ANY_APP]
                whole[0] += 1
                whole[1] += total
                whole[2] += len(active_days)
                for active in active_days:
                    days[active, department, function] += 1
                per_person_weeks[index].append(total)
        day += timedelta(days=1)

    world.rows += [
        Population(department=d, function=f, licensed=n) for (d, f), n in licensed.items()
    ]
    world.rows += [
        WeekCell(week=w, department=d, function=f, app=a, people=p, actions=x, person_days=pd)
        for (w, d, f, a), (p, x, pd) in cells.items()
    ]
    world.rows += [
        DayCell(day=dd, department=d, function=f, people=n) for (dd, d, f), n in days.items()
    ]
    tiers: dict[tuple[str, str, str], int] = defaultdict(int)
    for (department, function, *_), history in zip(people, per_person_weeks, strict=True):
        judged = history[1:13]  # the 12 complete weeks up to segments_until
        active_weeks = sum(1 for n in judged if n)
        weekly = sum(judged) / 12
        tier = (
            "power"
            if active_weeks >= 9 and weekly >= 15
            else "habitual"
            if active_weeks >= 9
            else "novice"
            if weekly >= 1
            else "low"
            if sum(judged)
            else "none"
        )
        tiers[department, function, tier] += 1
    world.rows += [
        SegmentCell(department=d, function=f, tier=t, people=n) for (d, f, t), n in tiers.items()
    ]
    world.rows.append(
        Refresh(
            refreshed_at=datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=3),
            first_day=first,
            last_day=world.last_day,
            segments_until=week_of(today) - timedelta(days=1),
            segment_weeks=12,
        )
    )
    return world


async def fill(engine: AsyncEngine, world: World) -> None:
    """Put ``world``'s cube in the database, replacing what was there."""
    async with AsyncSession(engine) as session:
        for table in (Population, WeekCell, DayCell, SegmentCell, Refresh):
            await session.exec(delete(table))
        session.add_all(world.rows)
        await session.commit()
