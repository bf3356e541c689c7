"""Reading and writing the ledger and the stored signals in bulk, one transaction per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.engine import PersonState
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.store.tables import LedgerEntry, StoredSignal, utcnow
from shared.events import ActivityKind, App

SIGNALS: Table = StoredSignal.__table__  # type: ignore[attr-defined]
LEDGER: Table = LedgerEntry.__table__  # type: ignore[attr-defined]
CHUNK = 2000  # rows per statement: stays under both databases' parameter limits


def insert_for(conn: AsyncConnection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def insert_new(
    conn: AsyncConnection, table: Table, key: str, rows: Sequence[dict[str, Any]], size: int
) -> set[str]:
    """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key``, through the driver.

    One multi-row statement per ``size`` rows inside the caller's transaction;
    values pass through the same type processors SQLAlchemy would apply, so the
    rows are stored exactly as before, without compiling a statement per batch
    or building parameters per row in Python.
    """
    if not rows:
        return set()
    dialect = conn.dialect
    columns = list(rows[0])
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    postgres = dialect.name == "postgresql"
    if postgres and not driver.is_in_transaction():
        await conn.execute(text("SELECT 1"))  # SQLAlchemy begins its transaction lazily
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target, returned = quote(table.name), quote(key)
    width = len(columns)
    found: set[str] = set()
    for part in chunks(rows, size):
        params: list[Any] = []
        for row in part:
            for name, process in zip(columns, processors, strict=True):
                value = row[name]
                params.append(value if process is None or value is None else process(value))
        if postgres:
            values = ", ".join(
                "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                for i in range(len(part))
            )
        else:
            values = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(part))
        # Only quoted names from our own table metadata and placeholders go in the text.
        sql = (
            f"INSERT INTO {target} ({names}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({returned}) DO NOTHING RETURNING {returned}"
        )
        if postgres:
            found.update(record[0] for record in await driver.fetch(sql, *params))
        else:
            cursor = await driver.execute(sql, params)
            found.update(record[0] for record in await cursor.fetchall())
            await cursor.close()
    return found


async def insert_signals(
    conn: AsyncConnection, signals: Sequence[Signal], sources: dict[str, str]
) -> set[str]:
    """Store signals not seen before; returns the event ids that were new."""
    if not signals:
        return set()
    now = utcnow()
    rows = [
        {
            "event_id": s.event_id,
            "person": s.person,
            "app": str(s.app),
            "kind": str(s.kind),
            "day": s.day,
            "at": s.at,
            "source": sources.get(s.event_id, "manual"),
            "received_at": now,
        }
        for s in signals
    ]
    return await insert_new(conn, SIGNALS, "event_id", rows, CHUNK)


def _row(award: Award, now: Any) -> dict[str, Any]:
    return {
        "key": award.key,
        "kind": str(award.kind),
        "rule": award.rule,
        "ruleset_version": award.version,
        "person": award.person,
        "day": award.day,
        "at": award.at,
        "points": award.points,
        "event_id": award.event_id,
        "app": None if award.app is None else str(award.app),
        "ref": award.ref,
        "title": award.title,
        "note": award.note,
        "created_at": now,
    }


async def insert_awards(conn: AsyncConnection, awards: Sequence[Award]) -> set[str]:
    """Append awards whose key is new; returns the keys actually written."""
    if not awards:
        return set()
    now = utcnow()
    return await insert_new(conn, LEDGER, "key", [_row(award, now) for award in awards], CHUNK // 2)


async def load_signals(conn: AsyncConnection, persons: Sequence[str] | None = None) -> list[Signal]:
    query = select(
        SIGNALS.c.event_id,
        SIGNALS.c.person,
        SIGNALS.c.app,
        SIGNALS.c.kind,
        SIGNALS.c.day,
        SIGNALS.c.at,
    )
    out: list[Signal] = []
    parts: Iterable[Sequence[str] | None] = [None] if persons is None else chunks(persons)
    for part in parts:
        q = query if part is None else query.where(SIGNALS.c.person.in_(part))
        for event_id, person, app, kind, day, at in await conn.execute(q):
            out.append(Signal(event_id, person, App(app), ActivityKind(kind), day, at))
    return out


async def load_states(
    conn: AsyncConnection, version: int, persons: Sequence[str], exclude: Sequence[Signal] = ()
) -> dict[str, PersonState]:
    """Each person's history (stored signals but ``exclude``) and what the ledger paid them."""
    states = {person: PersonState() for person in persons}
    excluded: Counter[tuple[str, date, str, str]] = Counter(
        (s.person, s.day, str(s.app), str(s.kind)) for s in exclude
    )
    for part in chunks(persons):
        history_rows = await conn.execute(
            select(SIGNALS.c.person, SIGNALS.c.day, SIGNALS.c.app, SIGNALS.c.kind, func.count())
            .where(SIGNALS.c.person.in_(part))
            .group_by(SIGNALS.c.person, SIGNALS.c.day, SIGNALS.c.app, SIGNALS.c.kind)
        )
        for person, day, app, kind, count in history_rows:
            remaining = int(count) - excluded[(person, day, app, kind)]
            if remaining > 0:
                states[person].history.add_many(day, App(app), ActivityKind(kind), remaining)
        paid_rows = await conn.execute(
            select(LEDGER.c.person, LEDGER.c.day, func.sum(LEDGER.c.points))
            .where(
                and_(
                    LEDGER.c.ruleset_version == version,
                    LEDGER.c.person.in_(part),
                    LEDGER.c.kind == str(AwardKind.POINTS),
                )
            )
            .group_by(LEDGER.c.person, LEDGER.c.day)
        )
        for person, day, points in paid_rows:
            states[person].paid_by_day[day] = int(points or 0)
        held_rows = await conn.execute(
            select(LEDGER.c.person, LEDGER.c.kind, LEDGER.c.ref).where(
                and_(
                    LEDGER.c.ruleset_version == version,
                    LEDGER.c.person.in_(part),
                    LEDGER.c.kind.in_([str(AwardKind.BADGE), str(AwardKind.LEVEL)]),
                )
            )
        )
        for person, kind, ref in held_rows:
            if kind == AwardKind.BADGE:
                states[person].badges.add(ref)
            else:
                states[person].levels.add(int(ref))
    return states


async def person_day_totals(
    conn: AsyncConnection, version: int, persons: Sequence[str] | None = None
) -> list[tuple[str, date, int, Any, str | None]]:
    """Points rows summed per person, day and app: the raw material of every board."""
    query = (
        select(
            LEDGER.c.person,
            LEDGER.c.day,
            func.sum(LEDGER.c.points),
            func.max(LEDGER.c.at),
            LEDGER.c.app,
        )
        .where(and_(LEDGER.c.ruleset_version == version, LEDGER.c.kind == str(AwardKind.POINTS)))
        .group_by(LEDGER.c.person, LEDGER.c.day, LEDGER.c.app)
    )
    out: list[tuple[str, date, int, Any, str | None]] = []
    parts: Iterable[Sequence[str] | None] = [None] if persons is None else chunks(persons)
    for part in parts:
        q = query if part is None else query.where(LEDGER.c.person.in_(part))
        for person, day, points, at, app in await conn.execute(q):
            out.append((person, day, int(points or 0), at, app))
    return out
