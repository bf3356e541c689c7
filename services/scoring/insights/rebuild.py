"""Recomputing the first level from the stored signals, for installations that predate it.

``insight_usage_week`` is rebuilt person by person, a chunk of people per transaction:
their rows are deleted and written again from ``scoring_signal``. A chunk holds off
scoring's writes of signals while it runs (PostgreSQL: a share lock on the signals;
SQLite: its single writer), so a batch is counted either in the recomputation or by its
own upsert, never both. An interrupted rebuild keeps the chunks it finished, and running
it again redoes every chunk to the same result. The cube is built whole at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.insights.refresher import Refresher, Report
from services.scoring.store import usage
from services.scoring.store.ledger import Driver, as_date
from shared.insight_tables import week_of, weekday_bit

CHUNK_PEOPLE = 1000
PEOPLE_SQL = (
    "SELECT DISTINCT person FROM scoring_signal "
    "UNION SELECT DISTINCT person FROM insight_usage_week"
)
DELETE_SQL = "DELETE FROM insight_usage_week WHERE person {among}"
COUNTS_SQL = (
    "SELECT person, day, app, count(*) FROM scoring_signal WHERE person {among} "
    "GROUP BY person, day, app"
)


async def rebuild_people(engine: AsyncEngine, people: list[str]) -> int:
    """Recompute these people's rows in one transaction; returns the rows written."""
    async with engine.begin() as conn:
        driver = await Driver.of(conn)
        if driver.postgres:
            await conn.execute(text("LOCK TABLE scoring_signal IN SHARE MODE"))
        # First a write: on SQLite it makes this the only writer until the commit.
        await driver.fetch_for(DELETE_SQL, people)
        rows: dict[tuple[str, date, str], list[int]] = {}
        days: dict[object, date] = {}
        for person, day, app, count in await driver.fetch_for(COUNTS_SQL, people):
            when = days.get(day) or days.setdefault(day, as_date(day))
            key = (person, week_of(when), app)
            row = rows.get(key)
            if row is None:
                row = rows[key] = [0, 0]
            row[0] += int(count)
            row[1] |= weekday_bit(when)
        await usage.upsert(conn, [(p, w, a, n, d) for (p, w, a), (n, d) in rows.items()])
        await usage.mark(conn, {week for _, week, _ in rows})
    return len(rows)


async def rebuild(
    engine: AsyncEngine,
    tz: ZoneInfo,
    progress: Callable[[str], None] = lambda _: None,
    chunk: int = CHUNK_PEOPLE,
) -> Report | None:
    """Recompute ``insight_usage_week`` from ``scoring_signal``, then build the cube."""
    async with engine.connect() as conn:
        people = sorted(row[0] for row in await conn.execute(text(PEOPLE_SQL)))
    written = 0
    for start in range(0, len(people), chunk):
        part = people[start : start + chunk]
        written += await rebuild_people(engine, part)
        progress(f"{start + len(part)}/{len(people)} people, {written} rows")
    progress("building the cube")
    return await Refresher(engine, tz).refresh(force=True)
