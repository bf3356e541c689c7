"""Unattributed report facts: stored for the tenant-wide adoption figure, never scored.

Facts and retirements may arrive in any order, more than once, and from
several consumers at a time; the table ends the same either way: every fact
whose epoch is above the highest retired epoch, once. A retirement deletes
the facts of its epoch and earlier and is remembered, so that such a fact
arriving later is not stored again. On PostgreSQL one writer at a time takes
this path (an advisory lock), so a retirement cannot slip between another
writer's look at the retired epoch and its insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring.store.tables import UnattributedFact, UnattributedRetirement
from shared import suppression
from shared.events import UnattributedActivity

FACTS: Table = UnattributedFact.__table__  # type: ignore[attr-defined]
RETIRED: Table = UnattributedRetirement.__table__  # type: ignore[attr-defined]
SCOPE = "usage_report"
CHUNK = 2000


@dataclass(frozen=True)
class Unattributed:
    """One fact as read from the bus: its event id and payload."""

    event_id: str
    data: UnattributedActivity


def _dialect(conn: AsyncConnection) -> Any:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


async def retired_epoch(conn: AsyncConnection) -> int:
    found = await conn.execute(select(RETIRED.c.epoch).where(RETIRED.c.scope == SCOPE))
    return int(found.scalar_one_or_none() or 0)


async def record(
    engine: AsyncEngine, facts: Sequence[Unattributed], retirements: Sequence[int]
) -> int:
    """Store facts and apply retirements in one transaction; the facts kept (those above
    the highest retired epoch; one already stored is kept once)."""
    async with engine.begin() as conn:
        await suppression.hold(conn)
        if conn.dialect.name == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('scoring-unattributed'))")
            )
        erased = await suppression.among(conn, {f.data.report_identity for f in facts})
        facts = [f for f in facts if f.data.report_identity not in erased]
        before = await retired_epoch(conn)
        top = max([before, *retirements])
        if top > before:
            insert = _dialect(conn).insert(RETIRED)
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["scope"],
                    set_={"epoch": insert.excluded.epoch, "retired_at": insert.excluded.retired_at},
                ),
                [{"scope": SCOPE, "epoch": top, "retired_at": datetime.now(UTC)}],
            )
            await conn.execute(delete(FACTS).where(FACTS.c.epoch <= top))
        now = datetime.now(UTC)
        rows = {
            fact.event_id: {
                "event_id": fact.event_id,
                "report_identity": fact.data.report_identity,
                "reason": fact.data.reason.value,
                "app": fact.data.app.value,
                "day": fact.data.date,
                "epoch": fact.data.epoch,
                "received_at": now,
            }
            for fact in facts
            if fact.data.epoch > top
        }
        values = list(rows.values())
        statement = _dialect(conn).insert(FACTS).on_conflict_do_nothing(index_elements=["event_id"])
        for start in range(0, len(values), CHUNK):
            await conn.execute(statement, values[start : start + CHUNK])
        return len(values)
