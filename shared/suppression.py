"""The suppression list: the keys of erased people, which every service checks.

An erasure deletes what Uptake holds about a person; this list keeps it deleted.
Ingest publishes nothing more about a listed person (directory, usage-report rows,
interaction history), scoring stores and scores nothing of theirs, notify takes in
none of their awards, and scoring takes their messages out of the streams.

A key is a keyed hash, never a name: the pseudonym (``p-...``) of the Entra object
id, and the report identity (``r-...``) of the userPrincipalName. An erasure lists
every key it can find for the person, and ingest adds a key it learns later (a
directory user whose object id is listed also gets their userPrincipalName listed),
so an erasure by object id, userPrincipalName or pseudonym reaches every key.

Writers and erasures are serialised, so that no write slips between an erasure's
deletes and its commit: a writer calls :func:`hold` first in its transaction and an
erasure calls :func:`exclusive`. On PostgreSQL these take an advisory lock, shared
by writers and exclusive for an erasure; SQLite lets one transaction write at a
time, and both take its write lock at once with a write that matches no row (the
driver would otherwise begin the transaction only at its first write, after the
reads that decide it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Table, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import Field, SQLModel

CHUNK = 2000  # keys per statement, under both databases' parameter limits
SHORT_LIST = 500
LOCK = "uptake-privacy-erasure"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Suppression(SQLModel, table=True):
    """One key of an erased person."""

    __tablename__ = "privacy_suppression"

    key: str = Field(primary_key=True, max_length=64)
    # The erasure the key belongs to: the pseudonym erased (or the report identity,
    # when only a userPrincipalName unknown to ingest was given).
    person: str = Field(index=True, max_length=64)
    erased_at: datetime = Field(default_factory=utcnow)
    # Scrubs of the streams asked for since the last one finished (0: none owed): a
    # counter rather than a time, so that replicas' clocks need not agree.
    streams_pending: int = Field(default=1, index=True)
    streams_scrubbed_at: datetime | None = None


TABLE: Table = Suppression.__table__  # type: ignore[attr-defined]


def _postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


# Plain SQL for the checks every batch makes: building and compiling the statements
# through SQLAlchemy cost more than running them (measured in scoring's benchmark).
_NO_ROW = "DELETE FROM privacy_suppression WHERE 1 = 0"
_SHORT_LIST = f"SELECT key FROM privacy_suppression LIMIT {SHORT_LIST + 1}"  # noqa: S608 - a constant


async def _write_lock(conn: AsyncConnection) -> None:
    await conn.exec_driver_sql(_NO_ROW)


async def hold(conn: AsyncConnection) -> None:
    """First in a writer's transaction: no erasure commits until it ends."""
    if _postgres(conn):
        await conn.execute(text("SELECT pg_advisory_xact_lock_shared(hashtext(:k))"), {"k": LOCK})
    else:
        await _write_lock(conn)


async def exclusive(conn: AsyncConnection) -> None:
    """First in an erasure's transaction: writers in flight finish, later ones wait."""
    if _postgres(conn):
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": LOCK})
    else:
        await _write_lock(conn)


async def among(conn: AsyncConnection, keys: Iterable[str]) -> set[str]:
    """The listed ones among ``keys``.

    A short list is read whole and matched here: scoring asks for thousands of keys per
    batch, and binding them costs more than reading a few hundred rows.
    """
    asked = keys if isinstance(keys, set | frozenset) else set(keys)
    if not asked:
        return set()
    short = await conn.exec_driver_sql(_SHORT_LIST)
    listed = {row[0] for row in short}
    if len(listed) <= SHORT_LIST:
        return listed.intersection(asked)
    wanted = sorted(asked)
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        rows = await conn.execute(select(TABLE.c.key).where(TABLE.c.key.in_(part)))
        found.update(row[0] for row in rows)
    return found


async def erased_among(engine: AsyncEngine, keys: Iterable[str]) -> set[str]:
    """:func:`among` in a connection of its own: a quick look before a transaction that
    will look again under :func:`hold`."""
    wanted = set(keys)
    if not wanted:
        return set()
    async with engine.connect() as conn:
        return await among(conn, wanted)


async def everyone(conn: AsyncConnection) -> set[str]:
    """Every listed key (erasures are rare: the list stays small)."""
    return {row[0] for row in await conn.execute(select(TABLE.c.key))}


async def listed(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return await everyone(conn)


async def add(conn: AsyncConnection, person: str, keys: Iterable[str]) -> None:
    """List ``keys`` under the erasure of ``person``, each with a scrub of the streams
    owed (one more, for a key already listed)."""
    rows = [
        {"key": key, "person": person, "erased_at": utcnow(), "streams_pending": 1}
        for key in sorted(set(keys))
    ]
    if not rows:
        return
    dialect = postgresql if _postgres(conn) else sqlite
    insert = dialect.insert(TABLE)
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["key"], set_={"streams_pending": TABLE.c.streams_pending + 1}
        ),
        rows,
    )


async def extend(engine: AsyncEngine, learnt: Iterable[set[str]]) -> int:
    """Keys learnt later for listed people: each set holds keys of one person, at least
    one of them listed; the others join that person's erasure. Returns keys added."""
    added = 0
    async with engine.begin() as conn:
        await hold(conn)
        for keys in learnt:
            known = await among(conn, keys)
            if not known or known == keys:
                continue
            rows = await conn.execute(
                select(TABLE.c.person).where(TABLE.c.key.in_(sorted(known))).limit(1)
            )
            await add(conn, rows.scalar_one(), keys - known)
            added += len(keys - known)
    return added


async def unscrubbed(conn: AsyncConnection) -> dict[str, int]:
    """Keys whose messages may still be in the streams, with the scrubs owed."""
    rows = await conn.execute(
        select(TABLE.c.key, TABLE.c.streams_pending).where(TABLE.c.streams_pending > 0)
    )
    return {key: int(owed) for key, owed in rows}


async def rescrub(conn: AsyncConnection, keys: Iterable[str]) -> None:
    """A message naming ``keys`` may have reached a stream after its scrub: owe another."""
    for part in _chunks(keys):
        await conn.execute(
            update(TABLE)
            .where(TABLE.c.key.in_(part))
            .values(streams_pending=TABLE.c.streams_pending + 1)
        )


async def scrubbed(conn: AsyncConnection, owed: dict[str, int]) -> None:
    """Settle the scrubs ``owed`` when the scan began; one asked for since stays owed."""
    by_count: dict[int, list[str]] = {}
    for key, count in owed.items():
        by_count.setdefault(count, []).append(key)
    for count, keys in by_count.items():
        for part in _chunks(keys):
            await conn.execute(
                update(TABLE)
                .where(TABLE.c.key.in_(part), TABLE.c.streams_pending == count)
                .values(streams_pending=0, streams_scrubbed_at=utcnow())
            )


def _chunks(keys: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]
