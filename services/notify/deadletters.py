"""Posts a channel refused for good: listed for admins, and replayable once the cause is fixed."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.models import OutboxEntry, Status, utcnow


class DeadPost(BaseModel):
    id: int
    key: str
    channel: str
    kind: str
    attempts: int
    last_error: str | None
    created_at: str


async def list_dead(session: AsyncSession, channel: str | None = None) -> list[DeadPost]:
    query = select(OutboxEntry).where(OutboxEntry.status == Status.DEAD)
    if channel:
        query = query.where(OutboxEntry.channel == channel)
    rows = (await session.exec(query.order_by(col(OutboxEntry.id)))).all()
    return [
        DeadPost(
            id=r.id or 0,
            key=r.key,
            channel=r.channel,
            kind=r.kind,
            attempts=r.attempts,
            last_error=r.last_error,
            created_at=r.created_at.isoformat(),
        )
        for r in rows
    ]


async def replay(session: AsyncSession, ids: Sequence[int] | None = None) -> int:
    """Put dead posts back in the queue (all of them when ``ids`` is None); returns how many."""
    statement = update(OutboxEntry).where(col(OutboxEntry.status) == Status.DEAD)
    if ids is not None:
        statement = statement.where(col(OutboxEntry.id).in_(list(ids)))
    result = await session.exec(
        statement.values(status=Status.PENDING, attempts=0, not_before=utcnow())
    )
    await session.commit()
    return int(result.rowcount or 0)
