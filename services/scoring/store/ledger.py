"""Reading and writing the ledger and the stored signals in bulk, one transaction per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    String,
    Table,
    TypeDecorator,
    and_,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.engine import PersonState
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.store.tables import LedgerEntry, StoredSignal, utcnow
from shared.events import ActivityKind, App

SIGNALS: Table = StoredSignal.__table__  # type: ignore[attr-defined]
LEDGER: Table = LedgerEntry.__table__  # type: ignore[attr-defined]
CHUNK = 2000  # rows per statement: stays under both databases' parameter limits
ARRAY_ROWS = 20_000  # rows per PostgreSQL array insert: a rule-set replay stays in bounds


def insert_for(conn: AsyncConnection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Driver:
    """The DBAPI driver under a SQLAlchemy connection, for the bulk statements of a batch.

    Batches of thousands of rows spend more time in SQLAlchemy's statement
    compilation and per-value processing than in the database; these paths
    hand plain SQL and already-converted values to aiosqlite or asyncpg,
    inside the caller's transaction.
    """

    def __init__(self, conn: AsyncConnection, raw: Any) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.raw: Any = raw.driver_connection

    @classmethod
    async def of(cls, conn: AsyncConnection) -> Driver:
        driver = cls(conn, await conn.get_raw_connection())
        if driver.postgres and not driver.raw.is_in_transaction():
            await conn.execute(text("SELECT 1"))  # SQLAlchemy begins its transaction lazily
        return driver

    def placeholders(self, count: int, first: int = 1) -> str:
        if self.postgres:
            return ", ".join(f"${i}" for i in range(first, first + count))
        return ", ".join("?" * count)

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        if self.postgres:
            return list(await self.raw.fetch(sql, *params))
        cursor = await self.raw.execute(sql, params)
        try:
            return list(await cursor.fetchall())
        finally:
            await cursor.close()

    async def fetch_for(self, sql: str, among: Sequence[str], *params: Any) -> list[Any]:
        """Rows of ``sql`` for the values ``among``: ``{among}`` in it becomes the test.

        ``params`` come first, numbered from 1; the values follow (an array on
        PostgreSQL, chunks of placeholders on SQLite).
        """
        if self.postgres:
            test = f"= ANY(${len(params) + 1})"
            return await self.fetch(sql.format(among=test), [*params, list(among)])
        out: list[Any] = []
        for part in chunks(among):
            test = f"IN ({self.placeholders(len(part))})"
            out += await self.fetch(sql.format(among=test), [*params, *part])
        return out

    def converters(self, table: Table, columns: Sequence[str]) -> list[Any]:
        """Per column, SQLAlchemy's bind processor (None where values pass as they are)."""
        dialect = self.dialect
        return [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def convert(rows: Sequence[tuple[Any, ...]], processors: Sequence[Any]) -> list[Any]:
    """Flatten rows into one parameter list, converting dates and times once per value."""
    columns: list[tuple[int, Any, dict[Any, Any]]] = [
        (index, process, {}) for index, process in enumerate(processors) if process is not None
    ]
    if not columns:
        return [value for row in rows for value in row]
    params: list[Any] = []
    for row in rows:
        values = list(row)
        for index, process, seen in columns:
            value = values[index]
            if value is not None:
                done = seen.get(value)
                if done is None:
                    done = seen[value] = process(value)
                values[index] = done
        params += values
    return params


async def insert_new(
    conn: AsyncConnection,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    size: int,
) -> set[str]:
    """``INSERT ... ON CONFLICT (primary key) DO NOTHING RETURNING key``, through the driver.

    ``rows`` are tuples in ``columns`` order, inserted inside the caller's
    transaction: on SQLite one multi-row statement per ``size`` rows, on
    PostgreSQL one statement taking a column of values per parameter. Values
    are converted by the type processors SQLAlchemy would apply, so rows are
    stored exactly as through the ORM.
    """
    if not rows:
        return set()
    driver = await Driver.of(conn)
    processors = driver.converters(table, columns)
    quote = driver.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target, returned = quote(table.name), quote(key)
    unique = ", ".join(quote(column.name) for column in table.primary_key.columns)
    conflict = f"ON CONFLICT ({unique}) DO NOTHING RETURNING {returned}"
    width = len(columns)
    found: set[str] = set()
    if driver.postgres:
        # One array per column: a short statement, planned in no time, where thousands
        # of VALUES placeholders take longer to plan than to insert. Strings go as text:
        # a cast to varchar(n) would cut a long value short instead of refusing it.
        types = [array_type(table.c[name].type, driver.dialect) for name in columns]
        arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(types, 1))
        sql = f"INSERT INTO {target} ({names}) SELECT * FROM unnest({arrays}) {conflict}"  # noqa: S608
        for part in chunks(rows, ARRAY_ROWS):
            flat = convert(part, processors)
            by_column = [flat[i::width] for i in range(width)]
            found.update(record[0] for record in await driver.fetch(sql, by_column))
        return found
    for part in chunks(rows, size):
        values = ", ".join([f"({driver.placeholders(width)})"] * len(part))
        # Only quoted names from our own table metadata and placeholders go in the text.
        sql = f"INSERT INTO {target} ({names}) VALUES {values} {conflict}"  # noqa: S608
        found.update(record[0] for record in await driver.fetch(sql, convert(part, processors)))
    return found


def array_type(column_type: Any, dialect: Any) -> str:
    """The SQL type of a column's values in an ``unnest`` array (strings as text)."""
    base = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(base, String):
        return "TEXT"
    return str(column_type.compile(dialect=dialect))


SIGNAL_COLUMNS = ("event_id", "person", "app", "kind", "day", "at", "source", "received_at")


async def insert_signals(
    conn: AsyncConnection, signals: Sequence[Signal], sources: dict[str, str]
) -> set[str]:
    """Store signals not seen before; returns the event ids that were new.

    The caller adds the new ones to the insight rollup in the same transaction
    (``store.usage.add_usage``), as ``Scorer.stage`` does.
    """
    if not signals:
        return set()
    now = utcnow()
    rows = [
        (
            s.event_id,
            s.person,
            s.app.value,
            s.kind.value,
            s.day,
            s.at,
            sources.get(s.event_id, "manual"),
            now,
        )
        for s in signals
    ]
    return await insert_new(conn, SIGNALS, "event_id", SIGNAL_COLUMNS, rows, CHUNK)


LEDGER_COLUMNS = (
    "key",
    "kind",
    "rule",
    "ruleset_version",
    "person",
    "day",
    "at",
    "points",
    "event_id",
    "app",
    "ref",
    "title",
    "note",
    "created_at",
)


def _row(award: Award, now: Any) -> tuple[Any, ...]:
    return (
        award.key,
        award.kind.value,
        award.rule,
        award.version,
        award.person,
        award.day,
        award.at,
        award.points,
        award.event_id,
        None if award.app is None else award.app.value,
        award.ref,
        award.title,
        award.note,
        now,
    )


async def insert_awards(conn: AsyncConnection, awards: Sequence[Award]) -> set[str]:
    """Append awards whose key is new; returns the keys actually written."""
    if not awards:
        return set()
    now = utcnow()
    rows = [_row(award, now) for award in awards]
    return await insert_new(conn, LEDGER, "key", LEDGER_COLUMNS, rows, CHUNK // 2)


async def held_awards(
    conn: AsyncConnection, version: int, triggers: dict[str, set[str]]
) -> list[Award]:
    """The badges and levels that the events ``triggers`` (person -> event ids) brought."""
    out: list[Award] = []
    held = [str(AwardKind.BADGE), str(AwardKind.LEVEL)]
    for part in chunks(sorted(triggers)):
        query = select(LEDGER).where(
            and_(
                LEDGER.c.ruleset_version == version,
                LEDGER.c.kind.in_(held),
                LEDGER.c.person.in_(part),
            )
        )
        for row in await conn.execute(query):
            if row.event_id in triggers[row.person]:
                out.append(
                    Award(
                        key=row.key,
                        kind=AwardKind(row.kind),
                        rule=row.rule,
                        version=row.ruleset_version,
                        person=row.person,
                        day=row.day,
                        at=row.at,
                        points=row.points,
                        event_id=row.event_id,
                        ref=row.ref,
                        title=row.title,
                        note=row.note,
                    )
                )
    return out


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


HISTORY_SQL = (
    "SELECT person, day, app, kind, count(*) FROM scoring_signal "
    "WHERE person {among} GROUP BY person, day, app, kind"
)
# Granted points (rules recognition.*) are summed apart too: the daily cap leaves them out.
PAID_SQL = (
    "SELECT person, day, sum(points), "
    "sum(CASE WHEN rule LIKE 'recognition.%' THEN points ELSE 0 END) FROM scoring_ledger "
    "WHERE ruleset_version = {version} AND kind = 'points' AND person {among} "
    "GROUP BY person, day"
)
HELD_SQL = (
    "SELECT person, kind, ref, day FROM scoring_ledger "
    "WHERE ruleset_version = {version} AND kind IN ('badge', 'level') AND person {among}"
)


async def load_states(
    conn: AsyncConnection, version: int, persons: Sequence[str], exclude: Sequence[Signal] = ()
) -> dict[str, PersonState]:
    """Each person's history (stored signals but ``exclude``) and what the ledger paid them."""
    states = {person: PersonState() for person in persons}
    if not persons:
        return states
    excluded: Counter[tuple[str, date, str, str]] = Counter(
        (s.person, s.day, s.app.value, s.kind.value) for s in exclude
    )
    driver = await Driver.of(conn)
    # The version is an int from our own rule store: formatted into the text, it keeps
    # the parameter numbering simple across both drivers.
    where_version = str(int(version))
    dates: dict[Any, date] = {}
    apps: dict[str, App] = {}
    kinds: dict[str, ActivityKind] = {}
    for person, day, app, kind, count in await driver.fetch_for(HISTORY_SQL, persons):
        day = dates.get(day) or dates.setdefault(day, as_date(day))
        remaining = int(count) - excluded[(person, day, app, kind)]
        if remaining > 0:
            states[person].history.add_many(
                day,
                apps.get(app) or apps.setdefault(app, App(app)),
                kinds.get(kind) or kinds.setdefault(kind, ActivityKind(kind)),
                remaining,
            )
    paid = PAID_SQL.replace("{version}", where_version)
    for person, day, points, granted in await driver.fetch_for(paid, persons):
        state = states[person]
        day = dates.get(day) or as_date(day)
        state.paid_by_day[day] = int(points or 0)
        if granted:
            state.granted_by_day[day] = int(granted)
    held = HELD_SQL.replace("{version}", where_version)
    for person, kind, ref, day in await driver.fetch_for(held, persons):
        reached = dates.get(day) or as_date(day)
        if kind == AwardKind.BADGE:
            states[person].badges[ref] = reached
        else:
            states[person].levels[int(ref)] = reached
    return states


async def redate_awards(conn: AsyncConnection, awards: Sequence[Award]) -> int:
    """Move held badges and levels back to the earlier day they were reached on.

    A late fact can make a condition hold earlier than first recorded; a row only
    ever moves to an earlier day, so replaying the same change does nothing.
    Returns how many rows moved.
    """
    if not awards:
        return 0
    statement = (
        update(LEDGER)
        .where(
            LEDGER.c.person == bindparam("p_person"),
            LEDGER.c.key == bindparam("p_key"),
            LEDGER.c.day > bindparam("p_day"),
        )
        .values(day=bindparam("p_day"), at=bindparam("p_at"))
    )
    params = [{"p_person": a.person, "p_key": a.key, "p_day": a.day, "p_at": a.at} for a in awards]
    result = await conn.execute(statement, params)
    return int(result.rowcount or 0)


async def move_awards(conn: AsyncConnection, awards: Sequence[Award]) -> int:
    """Set held badges and levels to the day now judged, earlier or later: points taken
    back (a revoked grant) can make a level reached later. Returns rows moved."""
    if not awards:
        return 0
    statement = (
        update(LEDGER)
        .where(LEDGER.c.person == bindparam("p_person"), LEDGER.c.key == bindparam("p_key"))
        .values(day=bindparam("p_day"), at=bindparam("p_at"))
    )
    params = [{"p_person": a.person, "p_key": a.key, "p_day": a.day, "p_at": a.at} for a in awards]
    result = await conn.execute(statement, params)
    return int(result.rowcount or 0)


async def withdraw_awards(conn: AsyncConnection, awards: Sequence[Award]) -> int:
    """Remove held badges and levels no longer reached (their points were taken back):
    the ledger then holds what the facts give, whatever order they came in."""
    if not awards:
        return 0
    statement = delete(LEDGER).where(
        LEDGER.c.person == bindparam("p_person"), LEDGER.c.key == bindparam("p_key")
    )
    result = await conn.execute(statement, [{"p_person": a.person, "p_key": a.key} for a in awards])
    return int(result.rowcount or 0)


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
