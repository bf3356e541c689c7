"""The first level of adoption insights, kept beside the stored signals.

``insight_usage_week`` (:class:`shared.insight_tables.UsageWeek`) holds per person, ISO
week and app the number of actions and the weekdays active. :func:`add_usage` adds a
batch's new signals to it in the transaction that stores them, so the table always
equals a ``GROUP BY person, week, app`` over ``scoring_signal``: only signals the insert
found new are added, and a redelivered one changes nothing. The same transaction notes
the weeks it changed in ``scoring_insight_pending`` for the cube's refresher.

The upsert goes to the driver as plain SQL like the signal insert (``store.ledger``):
one multi-row statement per chunk on SQLite, one array per column on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Index, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.model import Signal
from services.scoring.store.ledger import ARRAY_ROWS, CHUNK, Driver, chunks, convert
from services.scoring.store.tables import InsightPending
from shared.insight_tables import UsageWeek, week_of, weekday_bit

USAGE: Table = UsageWeek.__table__  # type: ignore[attr-defined]
PENDING: Table = InsightPending.__table__  # type: ignore[attr-defined]
# The cube's refresher reads one week at a time; the key starts with the person. New
# (person, week, app) rows add to it, the far more frequent additions to a row do not.
WEEK_INDEX = Index("ix_insight_usage_week_week", USAGE.c.week)
COLUMNS = ("person", "week", "app", "actions", "days")
Key = tuple[str, date, str]

UPSERT_CONFLICT = (
    "ON CONFLICT (person, week, app) DO UPDATE SET "
    "actions = insight_usage_week.actions + excluded.actions, "
    "days = insight_usage_week.days | excluded.days"
)
SQLITE_UPSERT = "INSERT INTO insight_usage_week (person, week, app, actions, days) VALUES {values} "
POSTGRES_UPSERT = (
    "INSERT INTO insight_usage_week (person, week, app, actions, days) "
    "SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::int[]) "
)


def rollup(signals: Iterable[Signal]) -> dict[Key, list[int]]:
    """Signals summed per (person, week, app): ``[actions, weekday mask]``."""
    rows: dict[Key, list[int]] = {}
    weeks: dict[date, tuple[date, int]] = {}
    for signal in signals:
        day = signal.day
        found = weeks.get(day)
        if found is None:
            found = weeks[day] = (week_of(day), weekday_bit(day))
        week, bit = found
        key = (signal.person, week, signal.app.value)
        row = rows.get(key)
        if row is None:
            rows[key] = [1, bit]
        else:
            row[0] += 1
            row[1] |= bit
    return rows


async def add_usage(conn: AsyncConnection, signals: Sequence[Signal]) -> set[date]:
    """Add newly stored ``signals`` to their people's weeks; returns the weeks changed.

    Call it only with signals the caller's transaction has just stored for the first time.
    """
    if not signals:
        return set()
    rolled = rollup(signals)
    rows = [(person, week, app, acts, days) for (person, week, app), (acts, days) in rolled.items()]
    await upsert(conn, rows)
    weeks = {week for _, week, _ in rolled}
    await mark(conn, weeks)
    return weeks


async def upsert(conn: AsyncConnection, rows: Sequence[tuple[str, date, str, int, int]]) -> None:
    """Add ``rows`` (person, week, app, actions, days; one per key) to the table."""
    if not rows:
        return
    driver = await Driver.of(conn)
    processors = driver.converters(USAGE, COLUMNS)
    if driver.postgres:
        sql = POSTGRES_UPSERT + UPSERT_CONFLICT
        for part in chunks(rows, ARRAY_ROWS):
            flat = convert(part, processors)
            await driver.fetch(sql, [flat[i :: len(COLUMNS)] for i in range(len(COLUMNS))])
        return
    for part in chunks(rows, CHUNK):
        values = ", ".join([f"({driver.placeholders(len(COLUMNS))})"] * len(part))
        sql = SQLITE_UPSERT.format(values=values) + UPSERT_CONFLICT
        await driver.fetch(sql, convert(part, processors))


async def mark(conn: AsyncConnection, weeks: Iterable[date | None]) -> None:
    """Note in the caller's transaction that the cube must take these weeks in again
    (``None``: every week). Rows are only ever added, each under a fresh token."""
    rows = [(uuid.uuid4().hex, week) for week in weeks]
    if not rows:
        return
    driver = await Driver.of(conn)
    params = convert(rows, driver.converters(PENDING, ("token", "week")))
    values = ", ".join(f"({driver.placeholders(2, first=1 + 2 * i)})" for i in range(len(rows)))
    await driver.fetch(f"INSERT INTO scoring_insight_pending (token, week) VALUES {values}", params)  # noqa: S608


async def mark_everything(conn: AsyncConnection) -> None:
    await mark(conn, [None])
