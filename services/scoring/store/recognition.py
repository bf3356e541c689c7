"""Grants and revocations as received (``scoring_recognition``), whatever their order.

Recording a grant fills in its row unless a grant of that id came before; recording
a revocation marks the row revoked (creating it when the grant has not come yet)
unless it already is. So the table ends the same for any order and any repeats, and
each row says all that is known of one grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.recognition import Grant
from services.scoring.store.ledger import chunks, insert_for
from services.scoring.store.tables import RecognitionFact, utcnow
from shared.events import RecognitionGranted, RecognitionKind, RecognitionRevoked

TABLE: Table = RecognitionFact.__table__  # type: ignore[attr-defined]
GRANT_FIELDS = ("kind", "points", "day", "title", "granted_event")


def _grant_row(event_id: str, data: RecognitionGranted) -> dict[str, Any]:
    return {
        "person": data.person,
        "grant_id": data.grant,
        "kind": data.kind.value,
        "points": data.points,
        "day": data.date,
        "title": data.title,
        "granted_event": event_id,
        "revoked": False,
        "received_at": utcnow(),
    }


def _revoke_row(event_id: str, data: RecognitionRevoked) -> dict[str, Any]:
    return {
        "person": data.person,
        "grant_id": data.grant,
        "revoked": True,
        "reason": data.reason,
        "revoked_event": event_id,
        "received_at": utcnow(),
    }


async def record(
    conn: AsyncConnection,
    granted: Sequence[tuple[str, RecognitionGranted]],
    revoked: Sequence[tuple[str, RecognitionRevoked]],
) -> list[Grant]:
    """Store grants and revocations (``(event id, payload)``); returns what is now known
    of every grant they touched."""
    grants = {(d.person, d.grant): _grant_row(i, d) for i, d in reversed(granted)}
    revocations = {(d.person, d.grant): _revoke_row(i, d) for i, d in reversed(revoked)}
    insert = insert_for(conn, TABLE)
    if grants:
        fill = insert.on_conflict_do_update(
            index_elements=["person", "grant_id"],
            set_={name: insert.excluded[name] for name in GRANT_FIELDS},
            where=TABLE.c.kind.is_(None),
        )
        await conn.execute(fill, list(grants.values()))
    if revocations:
        mark = insert.on_conflict_do_update(
            index_elements=["person", "grant_id"],
            set_={name: insert.excluded[name] for name in ("revoked", "reason", "revoked_event")},
            where=TABLE.c.revoked.is_(False),
        )
        await conn.execute(mark, list(revocations.values()))
    return await load_pairs(conn, sorted({*grants, *revocations}))


def _grant(row: Any) -> Grant:
    return Grant(
        person=row.person,
        grant=row.grant_id,
        kind=None if row.kind is None else RecognitionKind(row.kind),
        points=int(row.points or 0),
        day=row.day,
        title=row.title or "",
        granted_event=row.granted_event,
        revoked=bool(row.revoked),
        reason=row.reason or "",
        revoked_event=row.revoked_event,
    )


async def load_pairs(conn: AsyncConnection, pairs: Sequence[tuple[str, str]]) -> list[Grant]:
    """The grants with these (person, grant id)."""
    out: list[Grant] = []
    for part in chunks(pairs, 400):
        wanted = or_(
            false(),
            *(and_(TABLE.c.person == p, TABLE.c.grant_id == g) for p, g in part),
        )
        out += [_grant(row) for row in await conn.execute(select(TABLE).where(wanted))]
    return out


async def load(conn: AsyncConnection, persons: Iterable[str] | None = None) -> list[Grant]:
    """Every grant of ``persons`` (everyone's when None), in person and id order."""
    query = select(TABLE).order_by(TABLE.c.person, TABLE.c.grant_id)
    if persons is None:
        return [_grant(row) for row in await conn.execute(query)]
    out: list[Grant] = []
    for part in chunks(sorted(set(persons))):
        out += [_grant(row) for row in await conn.execute(query.where(TABLE.c.person.in_(part)))]
    return out


async def counts(conn: AsyncConnection) -> dict[str, int]:
    """Grants per person: what a replay must hold at once beside their signals."""
    rows = await conn.execute(select(TABLE.c.person, func.count()).group_by(TABLE.c.person))
    return {person: int(count) for person, count in rows}
