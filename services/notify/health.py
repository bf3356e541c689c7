"""Channel health that admins can read: "ok", or what needs their attention."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.models import ChannelHealth, utcnow


async def set_health(session: AsyncSession, channel: str, state: str, detail: str | None) -> None:
    row = await session.get(ChannelHealth, channel)
    if row is None:
        row = ChannelHealth(channel=channel)
    row.state, row.detail, row.updated_at = state, (detail or "")[:500] or None, utcnow()
    session.add(row)
    await session.commit()


async def channel_health(session: AsyncSession) -> list[ChannelHealth]:
    return list((await session.exec(select(ChannelHealth))).all())
