"""The outbox: every notification is a row with a unique key before anything is sent.

Intake inserts rows (a repeated key is ignored, so redelivered events add
nothing); the dispatcher sends due rows and marks each one right after the
channel accepted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.models import OutboxEntry, Status, as_utc, utcnow


async def insert_ignoring_duplicates(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(model).values(list(rows)).on_conflict_do_nothing())


async def enqueue(session: AsyncSession, entries: Sequence[OutboxEntry]) -> None:
    """Store notifications; keys already present are left as they are."""
    rows = [e.model_dump(exclude={"id"}) for e in entries]
    await insert_ignoring_duplicates(session, OutboxEntry, rows)


async def due(
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int,
    but_kinds: Sequence[str] = (),
) -> list[OutboxEntry]:
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.channel == channel)
        .where(OutboxEntry.status == Status.PENDING)
        .where(OutboxEntry.not_before <= as_utc(now))
    )
    if but_kinds:
        query = query.where(col(OutboxEntry.kind).not_in(but_kinds))
    return list((await session.exec(query.order_by(col(OutboxEntry.id)).limit(limit))).all())


async def facts_of(session: AsyncSession, entry_id: int) -> str | None:
    query = select(OutboxEntry.facts).where(col(OutboxEntry.id) == entry_id)
    return (await session.exec(query)).first()


async def count_due(
    session: AsyncSession, channel: str, now: datetime, kinds: Sequence[str]
) -> int:
    query = (
        select(func.count())
        .select_from(OutboxEntry)
        .where(OutboxEntry.channel == channel)
        .where(OutboxEntry.status == Status.PENDING)
        .where(OutboxEntry.not_before <= as_utc(now))
        .where(col(OutboxEntry.kind).in_(kinds))
    )
    return int((await session.exec(query)).one())


async def sent_since(session: AsyncSession, channel: str, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(OutboxEntry)
        .where(OutboxEntry.channel == channel)
        .where(OutboxEntry.status == Status.SENT)
        .where(col(OutboxEntry.sent_at) >= as_utc(since))
    )
    return int((await session.exec(query)).one())


async def claim(session: AsyncSession, entry_id: int, now: datetime, until: datetime) -> bool:
    """Take a due row for sending: moving ``not_before`` to ``until`` hides it from other
    dispatchers (replicas) until this one marks it, or crashes and the claim runs out."""
    result = await session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id) == entry_id)
        .where(col(OutboxEntry.status) == Status.PENDING)
        .where(col(OutboxEntry.not_before) <= as_utc(now))
        .values(not_before=as_utc(until))
    )
    await session.commit()
    return int(result.rowcount or 0) == 1


async def set_fields(session: AsyncSession, entry_id: int, **fields: Any) -> None:
    await session.exec(update(OutboxEntry).where(col(OutboxEntry.id) == entry_id).values(**fields))
    await session.commit()


async def mark_sent(session: AsyncSession, entry_id: int, at: datetime | None = None) -> None:
    sent_at = as_utc(at) if at else utcnow()
    await set_fields(session, entry_id, status=Status.SENT, sent_at=sent_at, last_error=None)


async def mark_retry(
    session: AsyncSession, entry_id: int, attempts: int, not_before: datetime, error: str
) -> None:
    await set_fields(
        session,
        entry_id,
        attempts=attempts,
        not_before=as_utc(not_before),
        last_error=error[:500],
    )


async def mark_dead(session: AsyncSession, entry_id: int, attempts: int, error: str) -> None:
    await set_fields(
        session, entry_id, status=Status.DEAD, attempts=attempts, last_error=error[:500]
    )


async def defer(session: AsyncSession, channel: str, now: datetime, until: datetime) -> None:
    """Hold every due entry of a channel until ``until`` (quiet hours, daily limit)."""
    await session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.channel) == channel)
        .where(col(OutboxEntry.status) == Status.PENDING)
        .where(col(OutboxEntry.not_before) <= as_utc(now))
        .values(not_before=as_utc(until))
    )
    await session.commit()
