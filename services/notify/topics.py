"""What notify told of a story or a champion event, and the cards of it not yet sent.

A change of an event replaces its cards still waiting in the outbox (they were
never posted, so the channel hears the latest once), and an older change arriving
after a newer one (a redelivery) changes nothing. A withdrawn story takes its
waiting cards with it and stays withdrawn, whatever order the two arrive in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.facts import Facts, load_facts
from services.notify.models import OutboxEntry, Status, Topic, utcnow
from services.notify.outbox import insert_ignoring_duplicates


async def _ensure(session: AsyncSession, topic: str) -> None:
    row = {"topic": topic, "version": 0, "closed": False, "announced": "[]", "updated_at": utcnow()}
    await insert_ignoring_duplicates(session, Topic, [row])


async def _read(session: AsyncSession, topic: str) -> tuple[int, bool, set[str]]:
    query = select(Topic.version, Topic.closed, Topic.announced).where(Topic.topic == topic)
    version, closed, announced = (await session.exec(query)).one()
    return version, closed, set(json.loads(announced))


async def advance(session: AsyncSession, topic: str, version: int) -> set[str] | None:
    """Move ``topic`` on to ``version``; the channels holding its announcement, or None
    when this version or a newer one was taken in before, or the topic is closed.

    The conditional update also takes the row's lock, so concurrent intakes of the
    same topic take turns.
    """
    await _ensure(session, topic)
    moved = await session.exec(
        update(Topic)
        .where(col(Topic.topic) == topic)
        .where(col(Topic.version) < version)
        .where(col(Topic.closed).is_(False))
        .values(version=version, updated_at=utcnow())
    )
    if int(moved.rowcount or 0) != 1:
        return None
    return (await _read(session, topic))[2]


async def settle(
    session: AsyncSession, topic: str, announced: Collection[str], *, closed: bool = False
) -> None:
    await session.exec(
        update(Topic)
        .where(col(Topic.topic) == topic)
        .values(announced=json.dumps(sorted(announced)), closed=closed, updated_at=utcnow())
    )


async def close(session: AsyncSession, topic: str) -> None:
    await _ensure(session, topic)
    await session.exec(
        update(Topic).where(col(Topic.topic) == topic).values(closed=True, updated_at=utcnow())
    )


async def is_closed(session: AsyncSession, topic: str) -> bool:
    query = select(Topic.closed).where(Topic.topic == topic)
    return bool((await session.exec(query)).first())


async def unsent(
    session: AsyncSession, kinds: Sequence[str], belongs: Callable[[Facts], bool]
) -> list[tuple[OutboxEntry, Facts]]:
    """The cards of ``kinds`` still waiting to be sent whose facts ``belongs`` picks."""
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.status == Status.PENDING)
        .where(col(OutboxEntry.kind).in_(kinds))
        .order_by(col(OutboxEntry.id))
        .with_for_update()
    )
    found = []
    for row in (await session.exec(query)).all():
        facts = load_facts(row.facts)
        if belongs(facts):
            found.append((row, facts))
    return found


async def take_out(session: AsyncSession, rows: Sequence[OutboxEntry]) -> None:
    """Delete cards that were never sent (a row sent meanwhile stays)."""
    ids = [row.id for row in rows]
    if ids:
        await session.exec(
            delete(OutboxEntry)
            .where(col(OutboxEntry.id).in_(ids))
            .where(col(OutboxEntry.status) == Status.PENDING)
        )
