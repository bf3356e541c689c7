"""Taking turns: one writer at a time per giver, code or person, across replicas.

Every community write first takes the erasure turn (:func:`shared.suppression.hold`):
an erasure never commits between its reads and its writes. That also takes SQLite's
write lock at once, so on SQLite writers already go one at a time. On PostgreSQL a
transaction-scoped advisory lock on ``key`` makes writers about the same key wait for
each other, so a count read under it is still true at commit. Unique constraints back
every rule that must never break, should a lock ever be missed.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import suppression


async def take_turn(session: AsyncSession, key: str) -> None:
    """First in a write transaction: wait for erasures and other writers of ``key``."""
    conn = await session.connection()
    await suppression.hold(conn)
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
