"""Reads over the adoption-insight cube (:mod:`shared.insight_tables`), for the cockpit.

Each read groups the cube's cells by one dimension: the department, the job function,
or nothing (the whole organisation, group ``""``). Departments and functions partition
the licensed people, so summing distinct-people cells over the other dimension is exact.
The gateway only reads these tables, and answers "nothing yet" while scoring has not
built them. What a group may show (the minimum group size) is the caller's to decide,
from :func:`population`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Executable, Table, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.insight_tables import (
    ANY_APP,
    DayCell,
    Population,
    RecentCell,
    RecentDaysCell,
    Refresh,
    SegmentCell,
    WeekCell,
)
from shared.logs import get_logger

log = get_logger(__name__)

By = Literal["department", "function"] | None
WHOLE = ""  # the group of a read over the whole organisation

POPULATION: Table = Population.__table__  # type: ignore[attr-defined]
WEEKS: Table = WeekCell.__table__  # type: ignore[attr-defined]
DAYS: Table = DayCell.__table__  # type: ignore[attr-defined]
SEGMENTS: Table = SegmentCell.__table__  # type: ignore[attr-defined]
REFRESH: Table = Refresh.__table__  # type: ignore[attr-defined]
RECENT: Table = RecentCell.__table__  # type: ignore[attr-defined]
RECENT_DAYS: Table = RecentDaysCell.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Coverage:
    """When the cube was built and the days it covers."""

    refreshed_at: datetime
    first_day: date
    last_day: date
    segments_until: date
    segment_weeks: int


@dataclass(frozen=True)
class WeekRow:
    """Distinct active people, actions and active person-days of a group in a week."""

    week: date
    group: str
    app: str  # ANY_APP: in any app
    people: int
    actions: int
    person_days: int


@dataclass(frozen=True)
class DayRow:
    day: date
    group: str
    people: int


@dataclass(frozen=True)
class SegmentRow:
    group: str
    tier: str
    people: int


def _dimension(table: Any, by: By) -> list[Any]:
    """The group columns of a read: the department's or function's, or none."""
    return [] if by is None else [table.c[by]]


def _group_of(row: Any, by: By) -> str:
    return WHOLE if by is None else str(row[-1])


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def _rows(engine: AsyncEngine, query: Executable) -> Sequence[Any]:
    try:
        async with engine.connect() as conn:
            return (await conn.execute(query)).all()
    except SQLAlchemyError as exc:
        log.debug("insight cube not readable", error=str(exc))
        return []


Dimension = Literal["department", "function"]


@dataclass(frozen=True)
class Within:
    """Only the cells of one department or one job function (``value`` may be ``NONE``)."""

    dimension: Dimension
    value: str


def _within(query: Any, table: Any, within: Within | None) -> Any:
    return query if within is None else query.where(table.c[within.dimension] == within.value)


async def coverage(engine: AsyncEngine) -> Coverage | None:
    """What the cube covers, or ``None`` before its first build."""
    table = REFRESH
    rows = await _rows(
        engine,
        select(
            table.c.refreshed_at,
            table.c.first_day,
            table.c.last_day,
            table.c.segments_until,
            table.c.segment_weeks,
        ).where(table.c.id == 1),
    )
    if not rows:
        return None
    refreshed_at, first, last, until, weeks = rows[0]
    return Coverage(_time(refreshed_at), _day(first), _day(last), _day(until), int(weeks))


async def population(engine: AsyncEngine, by: By, within: Within | None = None) -> dict[str, int]:
    """Licensed people per group when the cube was built (only ``within`` one group)."""
    table = POPULATION
    groups = _dimension(table, by)
    query = _within(select(func.sum(table.c.licensed), *groups), table, within)
    rows = await _rows(engine, query.group_by(*groups))
    return {_group_of(row, by): int(row[0]) for row in rows if row[0] is not None}


async def weekly(
    engine: AsyncEngine,
    by: By,
    since: date,
    until: date,
    within: Within | None = None,
    *,
    per_app: bool = False,
) -> list[WeekRow]:
    """Cells of the weeks starting ``since``..``until`` (Mondays), per group (only
    ``within`` one group); any app only, or each app (``ANY_APP`` included) when
    ``per_app``."""
    table = WEEKS
    groups = _dimension(table, by)
    query = (
        select(
            table.c.week,
            table.c.app,
            func.sum(table.c.people),
            func.sum(table.c.actions),
            func.sum(table.c.person_days),
            *groups,
        )
        .where(table.c.week >= since, table.c.week <= until)
        .group_by(table.c.week, table.c.app, *groups)
        .order_by(table.c.week)
    )
    if not per_app:
        query = query.where(table.c.app == ANY_APP)
    query = _within(query, table, within)
    return [
        WeekRow(_day(row[0]), _group_of(row, by), str(row[1]), *(int(n) for n in row[2:5]))
        for row in await _rows(engine, query)
    ]


async def daily(engine: AsyncEngine, by: By, since: date, until: date) -> list[DayRow]:
    """People active in any app per day and group, ``since``..``until``."""
    table = DAYS
    groups = _dimension(table, by)
    query = (
        select(table.c.day, func.sum(table.c.people), *groups)
        .where(table.c.day >= since, table.c.day <= until)
        .group_by(table.c.day, *groups)
        .order_by(table.c.day)
    )
    return [
        DayRow(_day(row[0]), _group_of(row, by), int(row[1])) for row in await _rows(engine, query)
    ]


async def segments(engine: AsyncEngine, by: By, within: Within | None = None) -> list[SegmentRow]:
    """People per usage tier and group, as last judged (see :class:`Coverage`), only
    ``within`` one group when given."""
    table = SEGMENTS
    groups = _dimension(table, by)
    query = _within(select(table.c.tier, func.sum(table.c.people), *groups), table, within)
    query = query.group_by(table.c.tier, *groups)
    return [
        SegmentRow(_group_of(row, by), str(row[0]), int(row[1]))
        for row in await _rows(engine, query)
    ]


@dataclass(frozen=True)
class RecentRow:
    """People active in an app (``ANY_APP``: any) in the 28 days ending the cube's last
    day, and their actions in the ISO weeks those days overlap."""

    group: str
    app: str
    people: int
    actions: int


@dataclass(frozen=True)
class RecentDaysRow:
    """Licensed people with a number of active days (a bucket) in those 28 days."""

    group: str
    bucket: str
    people: int


async def recent(engine: AsyncEngine, by: By) -> list[RecentRow]:
    """People active and their actions per app and group in the cube's last 28 days."""
    table = RECENT
    groups = _dimension(table, by)
    query = select(
        table.c.app, func.sum(table.c.people), func.sum(table.c.actions), *groups
    ).group_by(table.c.app, *groups)
    return [
        RecentRow(_group_of(row, by), str(row[0]), int(row[1]), int(row[2]))
        for row in await _rows(engine, query)
    ]


async def recent_days(engine: AsyncEngine, by: By) -> list[RecentDaysRow]:
    """People per bucket of active days and group in the cube's last 28 days."""
    table = RECENT_DAYS
    groups = _dimension(table, by)
    query = select(table.c.bucket, func.sum(table.c.people), *groups).group_by(
        table.c.bucket, *groups
    )
    return [
        RecentDaysRow(_group_of(row, by), str(row[0]), int(row[1]))
        for row in await _rows(engine, query)
    ]


# Reads within one department or one job function -------------------------------------
