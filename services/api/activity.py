"""Reads over scoring's stored signals, for adoption insights.

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

DAILY_ACTIVE = text(
    "SELECT person, day, app, COUNT(*) AS actions FROM scoring_signal "
    "WHERE day >= :since AND day <= :until GROUP BY person, day, app"
)


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


async def usage_between(engine: AsyncEngine, since: date, until: date) -> list[Usage]:
    rows = await _rows(engine, DAILY_ACTIVE, since=since, until=until)
    return [Usage(str(p), _day(d), str(a), int(n)) for p, d, a, n in rows]
