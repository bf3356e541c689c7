"""Reads over scoring's tables (signals and the ledger), for profiles and insights.

The gateway only reads these tables, by column name, and answers "nothing yet"
when scoring has not created them, so it can start before scoring does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.logs import get_logger

log = get_logger(__name__)

BADGES = text(
    "SELECT ref, title, day FROM scoring_ledger WHERE person = :person AND kind = 'badge' "
    "ORDER BY day DESC, id DESC"
)
LEVELS = text("SELECT ref, title FROM scoring_ledger WHERE person = :person AND kind = 'level'")
APPS = text("SELECT DISTINCT app FROM scoring_signal WHERE person = :person")
ACTIVE_DAYS = text(
    "SELECT DISTINCT day FROM scoring_signal WHERE person = :person AND day >= :since"
)
DAILY_ACTIVE = text(
    "SELECT person, day, app, COUNT(*) AS actions FROM scoring_signal "
    "WHERE day >= :since AND day <= :until GROUP BY person, day, app"
)


@dataclass(frozen=True)
class HeldBadge:
    badge: str
    title: str | None
    day: date


@dataclass(frozen=True)
class Usage:
    """Actions of one person in one app on one day."""

    person: str
    day: date
    app: str
    actions: int


async def _rows(engine: AsyncEngine, query: TextClause, **params: Any) -> Sequence[Any]:
    try:
        async with engine.connect() as conn:
            return (await conn.execute(query, params)).all()
    except SQLAlchemyError as exc:
        log.debug("scoring tables not readable", error=str(exc))
        return []


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def badges_of(engine: AsyncEngine, person: str) -> list[HeldBadge]:
    rows = await _rows(engine, BADGES, person=person)
    return [HeldBadge(str(ref), title, _day(day)) for ref, title, day in rows]


async def level_of(engine: AsyncEngine, person: str) -> tuple[int, str | None] | None:
    levels = [(int(ref), title) for ref, title in await _rows(engine, LEVELS, person=person)]
    return max(levels) if levels else None


async def apps_of(engine: AsyncEngine, person: str) -> set[str]:
    return {str(app) for (app,) in await _rows(engine, APPS, person=person)}


async def active_days_of(engine: AsyncEngine, person: str, since: date) -> list[date]:
    rows = await _rows(engine, ACTIVE_DAYS, person=person, since=since)
    return sorted(_day(day) for (day,) in rows)


async def usage_between(engine: AsyncEngine, since: date, until: date) -> list[Usage]:
    rows = await _rows(engine, DAILY_ACTIVE, since=since, until=until)
    return [Usage(str(p), _day(d), str(a), int(n)) for p, d, a, n in rows]
