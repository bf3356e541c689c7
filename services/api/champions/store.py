"""Write transactions of the programme: serialised with erasures, retried on a lost race.

Every write takes :func:`shared.suppression.hold` first (SQLite's write lock at once,
PostgreSQL's shared erasure lock), so the reads that decide a change and the change
itself see the same rows. Two first writes of one natural key (a person's first
application, one attendee's check-in) may still race on PostgreSQL; the loser's unique
violation rolls its transaction back and the work runs again, finding the winner's row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import suppression

T = TypeVar("T")
ATTEMPTS = 3


async def write(engine: AsyncEngine, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction and commit; again after a unique violation."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                async with session.begin():
                    await suppression.hold(await session.connection())
                    result = await work(session)
                return result
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def erased(session: AsyncSession, person: str) -> bool:
    """Whether ``person`` was erased (nothing about them is stored again)."""
    return bool(await suppression.among(await session.connection(), {person}))
