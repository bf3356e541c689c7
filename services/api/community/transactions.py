"""One write, in one transaction, tried again when a concurrent writer won a unique key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community.refusals import Refused

T = TypeVar("T")
ATTEMPTS = 3


async def write(engine: AsyncEngine, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in a transaction and commit it. A unique key taken meanwhile by
    another request (the same id sent twice at once) rolls it back and runs it again,
    when it finds what the other request wrote. A grant the recognition rules refuse
    (an erased person) is a :class:`Refused` 409."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                result = await work(session)
                await session.commit()
                return result
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
        except recognition.GrantRefused as exc:
            raise Refused(409, str(exc)) from exc
    raise AssertionError("unreachable")
