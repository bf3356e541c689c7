"""GDPR export and erasure of one pseudonymous person, across SQL and the Redis boards.

Scoring owns the ledger and the boards, so it owns erasing them. The tables of
notify and ingest are reflected by name (importing those services would make
scoring create their tables) and skipped when absent. Ingest keys its rows by
Entra object id: those are found by pseudonymising every stored object id with
the same key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import MetaData, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from services.scoring import privacy_boards, projection
from services.scoring.rulebook import Rulebook
from services.scoring.scrub import scrub
from services.scoring.store.privacy import PrivacyAudit, utcnow
from shared.ids import pseudonym
from shared.logs import get_logger

log = get_logger(__name__)
AUDIT: Table = PrivacyAudit.__table__  # type: ignore[attr-defined]
OBJECT_ID_TABLES = ("ingest_directory_user", "ingest_interaction_cursor")


@dataclass(frozen=True)
class Place:
    """Where a person's rows live: a table, a column, and how the column names them."""

    name: str
    table: str
    column: str
    match: str  # "person" (equals the pseudonym), "mentions" (JSON text), "object_id"


PLACES = (
    Place("person", "person", "person", "person"),
    Place("signals", "scoring_signal", "person", "person"),
    Place("ledger", "scoring_ledger", "person", "person"),
    Place("directory_origin", "directory_origin", "person", "person"),
    Place("team_mapping", "team_mapping", "source", "person"),  # a person's own override
    Place("notify_awards", "notify_award", "person", "person"),
    Place("notify_outbox", "notify_outbox", "facts", "mentions"),
    Place("ingest_directory", "ingest_directory_user", "object_id", "object_id"),
    Place("ingest_cursors", "ingest_interaction_cursor", "object_id", "object_id"),
)


@dataclass
class Subject:
    person: str
    object_ids: list[str] = field(default_factory=list)


def resolve(who: str, key: str) -> str:
    """A pseudonym as given ("p-..."), or the pseudonym of an Entra object id."""
    who = who.strip()
    return who if who.startswith("p-") else pseudonym(who, key)


async def _tables(conn: AsyncConnection) -> dict[str, Table]:
    wanted = {place.table for place in PLACES}

    def reflect(sync: Any) -> MetaData:
        meta = MetaData()
        meta.reflect(sync, only=lambda name, _: name in wanted)
        return meta

    meta = await conn.run_sync(reflect)
    return dict(meta.tables)


async def _subject(
    conn: AsyncConnection, tables: dict[str, Table], person: str, key: str
) -> Subject:
    found: set[str] = set()
    for name in OBJECT_ID_TABLES:
        if name in tables:
            rows = await conn.execute(select(tables[name].c.object_id))
            found.update(oid for (oid,) in rows if pseudonym(oid, key) == person)
    return Subject(person, sorted(found))


def _where(place: Place, tbl: Table, subject: Subject) -> ColumnElement[bool]:
    col = tbl.c[place.column]
    if place.match == "mentions":
        return col.contains(subject.person)
    if place.match == "object_id":
        return col.in_(subject.object_ids)
    return col == subject.person


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def _sql_rows(conn: AsyncConnection, subject: Subject) -> dict[str, list[dict[str, Any]]]:
    tables = await _tables(conn)
    out: dict[str, list[dict[str, Any]]] = {}
    for place in PLACES:
        tbl = tables.get(place.table)
        if tbl is None:
            continue
        rows = await conn.execute(select(tbl).where(_where(place, tbl, subject)))
        out[place.name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
    return out


async def _audit(
    conn: AsyncConnection, action: str, person: str, by: str, counts: dict[str, int]
) -> None:
    await conn.execute(
        insert(AUDIT).values(
            action=action,
            person=person,
            by=by,
            at=utcnow(),
            counts=json.dumps(counts, sort_keys=True),
        )
    )


async def export(
    engine: AsyncEngine, redis: Redis, person: str, key: str, by: str
) -> dict[str, Any]:
    """Everything Uptake holds about ``person`` (a pseudonym), as JSON-ready data."""
    async with engine.begin() as conn:
        subject = await _subject(conn, await _tables(conn), person, key)
        rows = await _sql_rows(conn, subject)
        positions = await privacy_boards.positions(redis, person)
        counts = {name: len(found) for name, found in rows.items()} | {"boards": len(positions)}
        await _audit(conn, "export", person, by, counts)
    log.info("privacy export", person=person, by=by, counts=counts)
    return {"pseudonym": person, "exported_at": utcnow().isoformat(), **rows, "boards": positions}


async def erase(
    engine: AsyncEngine, redis: Redis, person: str, key: str, by: str
) -> dict[str, int]:
    """Remove ``person`` from every table and board; returns the counts it audited."""
    async with engine.begin() as conn:
        tables = await _tables(conn)
        subject = await _subject(conn, tables, person, key)
        groups = await _groups(conn, tables, person)
        counts: dict[str, int] = {}
        for place in PLACES:
            tbl = tables.get(place.table)
            if tbl is None:
                continue
            if place.match == "mentions":
                counts[place.name], counts[f"{place.name}_scrubbed"] = await _erase_mentions(
                    conn, tbl, place, subject
                )
                continue
            result = await conn.execute(delete(tbl).where(_where(place, tbl, subject)))
            counts[place.name] = int(result.rowcount or 0)
        counts["boards"] = await privacy_boards.erase(redis, person)
        await _audit(conn, "erase", person, by, counts)
    # The person's groups lost a member and their points: set those boards from SQL.
    await _refresh_groups(engine, redis, groups)
    log.info("privacy erasure", person=person, by=by, counts=counts)
    return counts


async def _erase_mentions(
    conn: AsyncConnection, tbl: Table, place: Place, subject: Subject
) -> tuple[int, int]:
    """Delete the JSON rows that are the person's; take them out of the others' lists."""
    key = next(iter(tbl.primary_key.columns))
    column = tbl.c[place.column]
    deleted = scrubbed = 0
    for row_id, raw in await conn.execute(select(key, column).where(_where(place, tbl, subject))):
        try:
            cleaned, owned = scrub(json.loads(raw), subject.person)
        except ValueError:
            cleaned, owned = None, True  # unreadable: it mentions them, so it goes
        if owned:
            await conn.execute(delete(tbl).where(key == row_id))
            deleted += 1
        else:
            await conn.execute(
                tbl.update().where(key == row_id).values({place.column: json.dumps(cleaned)})
            )
            scrubbed += 1
    return deleted, scrubbed


async def _groups(
    conn: AsyncConnection, tables: dict[str, Table], person: str
) -> tuple[set[str], set[str]]:
    people = tables["person"]
    row = (
        await conn.execute(
            select(people.c.team, people.c.department).where(people.c.person == person)
        )
    ).first()
    if row is None:
        return set(), set()
    return ({row[0]} if row[0] else set()), ({row[1]} if row[1] else set())


async def _refresh_groups(
    engine: AsyncEngine, redis: Redis, groups: tuple[set[str], set[str]]
) -> None:
    teams, departments = groups
    if not (teams or departments):
        return
    async with engine.connect() as conn:
        try:
            active = await Rulebook().current(conn)
        except LookupError:
            return  # no rules published: there are no boards to correct
    await projection.refresh(engine, redis, active, set(), teams, departments)
