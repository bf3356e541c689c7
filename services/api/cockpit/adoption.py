"""``/api/insights/adoption`` from the insight tables instead of every stored signal.

The response keeps its model (:class:`services.api.schemas.AdoptionInsights`); the
figures come from pre-aggregated tables, so the answer costs a few grouped reads
whatever the number of people:

- ``daily`` and ``weekly``: the cube's people per day and per ISO week (the days and
  weeks after the cube's last day count nobody yet);
- ``by_department``: each department's active rate in the last complete week against
  the week before (the cube counts distinct people per ISO week, not per rolling 7
  days); ``by_team`` stays empty, as the cube is kept per department and function;
- ``active_28d``, ``by_app`` and ``segments`` (active days in the last 28): from the
  cube's recent cells (``insight_recent``, ``insight_recent_days``) for the 28 days
  ending its last day; ``actions_28d`` counts the actions of the ISO weeks those 28
  days fall in, as actions are kept per week. Asked for another day than the cube's
  (it has not been refreshed since midnight), they are counted from the per-person
  weeks (``insight_usage_week``), whose weekday bits place each active day.

The headline (licensed, active in the last 7 days) is the screen's, added by the
router (:func:`services.api.insights.with_headline`).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import insight_cube
from services.api.cockpit.weeks import WEEK, last_complete_week
from services.api.insights import GROWTH, SEGMENTS, Options, first_day
from services.api.schemas import (
    AdoptionInsights,
    AppUsage,
    DayActive,
    GroupAdoption,
    Segment,
    WeekActive,
)
from shared import adoption as shared_adoption
from shared.insight_tables import ANY_APP, week_of
from shared.logs import get_logger
from shared.periods import week_key
from shared.small_groups import shown

log = get_logger(__name__)

# Each usage row's active weekdays inside the 28 days: the first and last ISO weeks of
# the window are cut at its edges. Only licensed people still in the directory count.
_IN_WINDOW = """
    SELECT u.person, u.week, u.app, u.actions,
           u.days & CASE WHEN u.week = :first_week THEN :first_mask
                         WHEN u.week = :last_week THEN :last_mask
                         ELSE 127 END AS on_days
    FROM insight_usage_week u JOIN person p ON p.person = u.person
    WHERE u.week >= :first_week AND u.week <= :last_week
      AND p.licensed = :yes AND p.removed = :no
"""
# Constant SQL texts built from constants; every value is a bound parameter.
BY_APP = text(
    f"SELECT w.app, COUNT(DISTINCT w.person), SUM(w.actions) FROM ({_IN_WINDOW}) w "  # noqa: S608
    "WHERE w.on_days <> 0 GROUP BY w.app"
)
# A person's active days: per week, a weekday counts once whatever the apps (the bits
# of all their apps together), summed over the weeks; then people per number of days.
# PostgreSQL ORs the bits (bit_or); SQLite has no such aggregate and takes each bit's most.
_DAYS_OF = " + ".join(f"((k.on_days / {1 << bit}) % 2)" for bit in range(7))
_ANY_BIT = " + ".join(f"{1 << bit} * MAX((w.on_days / {1 << bit}) % 2)" for bit in range(7))


def _active_days(merge: str) -> TextClause:
    return text(
        "SELECT d.days, COUNT(*) FROM ("  # noqa: S608
        f"  SELECT k.person, SUM({_DAYS_OF}) AS days FROM ("
        f"    SELECT w.person, w.week, {merge} AS on_days FROM ({_IN_WINDOW}) w"
        "     WHERE w.on_days <> 0 GROUP BY w.person, w.week"
        "  ) k GROUP BY k.person"
        ") d GROUP BY d.days"
    )


ACTIVE_DAYS = {"postgresql": _active_days("bit_or(w.on_days)")}
ACTIVE_DAYS_PORTABLE = _active_days(_ANY_BIT)


async def _rows(engine: AsyncEngine, query: TextClause, **params: Any) -> list[Any]:
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query, params)).all())
    except SQLAlchemyError as exc:
        log.debug("insight usage weeks not readable", error=str(exc)[:200])
        return []


def _window(today: date) -> dict[str, Any]:
    since = today - timedelta(days=27)
    return {
        "first_week": week_of(since),
        "first_mask": 127 & ~((1 << since.weekday()) - 1),
        "last_week": week_of(today),
        "last_mask": (1 << (today.weekday() + 1)) - 1,
        "yes": True,
        "no": False,
    }


Recent = tuple[list[tuple[str, int, int]], int, dict[str, int]]  # apps, active, buckets


async def _recent_from_cube(engine: AsyncEngine) -> Recent:
    """Per app (people, actions), people active in any app, and people per bucket of
    active days, from the cube's 28 days ending its last day."""
    cells, buckets = await asyncio.gather(
        insight_cube.recent(engine, None), insight_cube.recent_days(engine, None)
    )
    apps = [(row.app, row.people, row.actions) for row in cells if row.app != ANY_APP]
    active = sum(row.people for row in cells if row.app == ANY_APP)
    return apps, active, {row.bucket: row.people for row in buckets}


async def _recent_from_usage(engine: AsyncEngine, today: date, licensed: int) -> Recent:
    """:func:`_recent_from_cube`'s figures for the 28 days ending ``today``, counted
    from the per-person weeks."""
    window = _window(today)
    apps, day_counts = await asyncio.gather(
        _rows(engine, BY_APP, **window),
        _rows(engine, ACTIVE_DAYS.get(engine.dialect.name, ACTIVE_DAYS_PORTABLE), **window),
    )
    active_days = {int(n): int(people) for n, people in day_counts}
    active = sum(active_days.values())
    buckets = {
        label: max(0, licensed - active)
        if high == 0
        else sum(people for n, people in active_days.items() if low <= n <= high)
        for _, label, low, high in SEGMENTS
    }
    return [(str(a), int(p), int(n or 0)) for a, p, n in apps], active, buckets


def _trend(now: float, before: float) -> Literal["growing", "stalling", "steady"]:
    if now - before >= GROWTH:
        return "growing"
    if before - now >= GROWTH:
        return "stalling"
    return "steady"


async def adoption_from_cube(
    engine: AsyncEngine, today: date, options: Options
) -> AdoptionInsights | None:
    """The adoption insights for ``today``, or None before the cube's first build."""
    coverage = await insight_cube.coverage(engine)
    if coverage is None:
        return None
    since_28 = today - timedelta(days=27)
    population = await insight_cube.population(engine, "department")
    licensed = sum(population.values())

    days = {row.day: row.people for row in await insight_cube.daily(engine, None, since_28, today)}
    daily = [
        DayActive(
            day=since_28 + timedelta(days=i),
            active_people=days.get(since_28 + timedelta(days=i), 0),
        )
        for i in range(28)
    ]

    first = week_of(first_day(today))
    weeks = {
        row.week: row.people
        for row in await insight_cube.weekly(engine, None, first, week_of(today))
    }
    mondays = [first + WEEK * i for i in range((week_of(today) - first).days // 7 + 1)]
    weekly = [
        WeekActive(
            week=week_key(monday),
            active_people=weeks.get(monday, 0),
            active_rate=shared_adoption.rate(weeks.get(monday, 0), licensed),
        )
        for monday in mondays
    ]

    last = last_complete_week(coverage.last_day)
    per_department: dict[tuple[date, str], int] = {
        (row.week, row.group): row.people
        for row in await insight_cube.weekly(engine, "department", last - WEEK, last)
    }
    departments, hidden = [], 0
    for department, size in sorted(population.items()):
        if not department or not shown(size, options.min_group_size):
            hidden += bool(department)
            continue
        active = per_department.get((last, department), 0)
        now = shared_adoption.rate(active, size)
        before = shared_adoption.rate(per_department.get((last - WEEK, department), 0), size)
        departments.append(
            GroupAdoption(
                group=department,
                licensed=size,
                active=active,
                active_rate=now,
                previous_rate=before,
                trend=_trend(now, before),
            )
        )
    departments.sort(key=lambda g: (-g.active_rate, g.group))

    if coverage.last_day == today:
        apps, active_28, by_bucket = await _recent_from_cube(engine)
    else:
        apps, active_28, by_bucket = await _recent_from_usage(engine, today, licensed)
    by_app = [
        AppUsage(
            app=str(app),
            active_people=int(people) if int(people) >= options.min_group_size else None,
            actions=int(actions or 0),
        )
        for app, people, actions in sorted(apps, key=lambda row: (-int(row[1]), str(row[0])))
    ]
    segments = [
        Segment(segment=name, active_days_28=label, people=by_bucket.get(label, 0))
        for name, label, _, _ in SEGMENTS
    ]
    actions = sum(app.actions for app in by_app)
    return AdoptionInsights(
        as_of=today,
        licensed=licensed,
        active_7d=0,  # the headline is the screen's (see the module's docstring)
        active_rate_7d=0.0,
        active_28d=active_28,
        by_app=by_app,
        by_department=departments,
        by_team=[],
        hidden_groups=hidden,
        daily=daily,
        weekly=weekly,
        segments=segments if shown(licensed, options.min_group_size) else [],
        actions_28d=actions,
        assisted_hours_28d=round(actions * options.minutes_per_action / 60, 1),
        minutes_saved_per_action=options.minutes_per_action,
    )
