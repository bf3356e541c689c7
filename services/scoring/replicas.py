"""Scoring replicas: who is alive, which partitions each reads, through which durable.

Replicas find each other in the database (they share it anyway): each writes a
heartbeat to ``scoring_replica`` every few seconds, and the live ones, sorted
by name, split the partitions of :mod:`shared.partitions` - replica ``i`` of
``n`` reads every ``n``-th partition from ``i``. A replica that stops leaves the
table; one that dies is forgotten after ``MEMBER_TTL`` seconds.

Each replica reads through a durable consumer of its own, named after its place
(``scoring-1-of-4``; plain ``scoring`` when it is alone). When the count
changes, every replica moves to the durable of its new place. A durable that
does not exist yet starts at the acknowledged floor of the durables that read
its partitions before, so nothing is skipped; what lies between that floor and
the old durables' last acknowledgement is scored again, which changes nothing
(the ledger knows every event id). Once every durable of the new count exists,
the first replica deletes the durables of other counts.

Two replicas may read one partition for a moment while their views of the
membership differ: the ledger transaction takes the partition's lock
(``scorer``), so they take turns, and the second finds the events stored.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import BigInteger, Float, String, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import Column, Field, SQLModel

from shared import partitions
from shared.logs import get_logger
from shared.streams import SIGNAL_KINDS, SIGNALS

log = get_logger(__name__)

HEARTBEAT_SECONDS = 3.0
MEMBER_TTL = 15.0  # a replica silent this long is gone


class RetiredDurable(SQLModel, table=True):
    """How far a retired durable had delivered: its successors treat what it may have
    handed out as possibly seen (see :func:`seen_until`)."""

    __tablename__ = "scoring_retired_durable"

    name: str = Field(sa_column=Column(String(200), primary_key=True))
    delivered: int = Field(sa_column=Column(BigInteger, nullable=False))


class ScoringReplica(SQLModel, table=True):
    """A live scoring replica and when it last said so (seconds since the epoch)."""

    __tablename__ = "scoring_replica"

    name: str = Field(sa_column=Column(String(200), primary_key=True))
    seen_at: float = Field(sa_column=Column(Float, nullable=False))


@dataclass(frozen=True)
class Assignment:
    """A replica's place among ``replicas``, and what it reads from there."""

    index: int = 0
    replicas: int = 1

    def partitions(self) -> tuple[int, ...]:
        return partitions.owned(self.index, self.replicas)

    def durable(self, base: str) -> str:
        return base if self.replicas == 1 else f"{base}-{self.index}-of-{self.replicas}"

    def filter_subjects(self) -> list[str]:
        return partitions.filter_subjects(SIGNAL_KINDS, self.partitions())


ALONE = Assignment()


def replica_name() -> str:
    """This process's name among the replicas: the host (a pod's name) and the process."""
    return f"{socket.gethostname()}-{os.getpid()}"


class Roster:
    """The live replicas: this one's heartbeat, and the places that follow from everyone's."""

    def __init__(
        self,
        engine: AsyncEngine,
        name: str | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
        ttl: float = MEMBER_TTL,
    ) -> None:
        self.engine = engine
        self.name = name or replica_name()
        self.heartbeat = heartbeat
        self.ttl = ttl

    async def beat(self, now: float | None = None) -> Assignment | None:
        """Say this replica is alive; returns its place among the live ones."""
        now = time.time() if now is None else now
        table = ScoringReplica.__table__  # type: ignore[attr-defined]
        upsert = _insert(self.engine)(table).values(name=self.name, seen_at=now)
        upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.name], set_={"seen_at": upsert.excluded.seen_at}
        )
        async with self.engine.begin() as conn:
            await conn.execute(upsert)
            await conn.execute(delete(table).where(table.c.seen_at < now - self.ttl))
            names = list(
                (await conn.execute(select(table.c.name).order_by(table.c.name))).scalars()
            )
        return place(names, self.name)

    async def leave(self) -> None:
        table = ScoringReplica.__table__  # type: ignore[attr-defined]
        async with self.engine.begin() as conn:
            await conn.execute(delete(table).where(table.c.name == self.name))


def place(names: list[str], name: str) -> Assignment | None:
    """``name``'s place among the live ``names``; None for a replica beyond the partitions
    (it waits, reading nothing, until one of the others goes)."""
    live = sorted(set(names) | {name})
    index = live.index(name)
    replicas = min(len(live), partitions.PARTITIONS)
    return Assignment(index, replicas) if index < replicas else None


DURABLE_NAME = re.compile(r"^(?P<base>.+)-(?P<index>\d+)-of-(?P<replicas>\d+)$")


def reads(info_name: str, base: str) -> tuple[int, ...] | None:
    """The partitions a scoring durable named ``info_name`` reads; None for another consumer."""
    if info_name == base:
        return tuple(range(partitions.PARTITIONS))
    match = DURABLE_NAME.match(info_name)
    if match is None or match["base"] != base:
        return None
    index, replicas = int(match["index"]), int(match["replicas"])
    if not 0 <= index < replicas <= partitions.PARTITIONS:
        return None
    return partitions.owned(index, replicas)


def start_after(existing: list[ConsumerInfo], base: str, wanted: tuple[int, ...]) -> int:
    """The stream sequence up to which every message of ``wanted`` partitions is scored:
    for each partition the furthest acknowledged floor of a durable that reads it, and of
    those the lowest. 0 when some partition has no durable (read from the start)."""
    floors: dict[int, int] = {}
    for info in existing:
        covered = reads(info.name, base)
        if covered is None:
            continue
        floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
        for partition in covered:
            floors[partition] = max(floors.get(partition, 0), floor or 0)
    return min((floors.get(p, 0) for p in wanted), default=0)


async def ensure_durable(
    js: JetStreamContext, base: str, assignment: Assignment, config: ConsumerConfig
) -> str:
    """The durable for ``assignment``, created (at the floor of its predecessors) or updated
    with ``config``'s settings; returns its name."""
    name = assignment.durable(base)
    config.durable_name = name
    config.filter_subjects = assignment.filter_subjects()
    try:
        current = await js.consumer_info(SIGNALS.name, name)
    except NotFoundError:
        existing = await js.consumers_info(SIGNALS.name)
        after = start_after(existing, base, assignment.partitions())
        if after > 0:
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = after + 1
        log.info("durable created", durable=name, start_after=after)
    else:
        # A durable's starting point cannot change; its other settings can.
        config.deliver_policy = current.config.deliver_policy
        config.opt_start_seq = current.config.opt_start_seq
    await js.add_consumer(SIGNALS.name, config=config)
    return name


def _insert(engine: AsyncEngine) -> Any:
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert


async def seen_until(
    js: JetStreamContext, engine: AsyncEngine, base: str, assignment: Assignment
) -> int:
    """The highest stream sequence that another durable may have handed to another replica,
    in this replica's partitions: of the other durables that read them, and of the retired.

    Such a message may be in the ledger already while its boards and announcements are
    not (its replica died between the two): it is treated as a redelivery, whose people's
    entries are repaired and whose awards are told again (notify takes them once).
    """
    mine, wanted = assignment.durable(base), set(assignment.partitions())
    highest = 0
    for info in await js.consumers_info(SIGNALS.name):
        covered = reads(info.name, base)
        if info.name == mine or covered is None or not wanted & set(covered):
            continue
        highest = max(highest, info.delivered.stream_seq if info.delivered else 0)
    table = RetiredDurable.__table__  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        retired = (await conn.execute(select(func.max(table.c.delivered)))).scalar()
    return max(highest, int(retired or 0))


async def retire_others(
    js: JetStreamContext, engine: AsyncEngine, base: str, assignment: Assignment
) -> bool:
    """Delete the scoring durables of other replica counts, once every durable of this
    count exists (until then, a durable still to be created starts at their floors).
    False while some durable of this count is still to be created."""
    existing = await js.consumers_info(SIGNALS.name)
    names = {info.name for info in existing if reads(info.name, base) is not None}
    mine = {Assignment(i, assignment.replicas).durable(base) for i in range(assignment.replicas)}
    if not mine <= names:
        return False
    retired = sorted(names - mine)
    table = RetiredDurable.__table__  # type: ignore[attr-defined]
    for name in retired:
        try:
            info = await js.consumer_info(SIGNALS.name, name)
        except NotFoundError:
            continue
        delivered = info.delivered.stream_seq if info.delivered else 0
        insert = _insert(engine)(table).values(name=name, delivered=delivered)
        insert = insert.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={"delivered": func.greatest(table.c.delivered, insert.excluded.delivered)}
            if engine.dialect.name == "postgresql"
            else {"delivered": func.max(table.c.delivered, insert.excluded.delivered)},
        )
        async with engine.begin() as conn:
            await conn.execute(insert)
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(SIGNALS.name, name)
    if retired:
        log.info("durables retired", durables=retired, replicas=assignment.replicas)
    return True


PARTITION_LOCK = "uptake.scoring.partition"
HOLD_PARTITIONS_SQL = text(
    "SELECT count(pg_advisory_xact_lock(hashtext(:k), p))"
    " FROM (SELECT unnest(CAST(:partitions AS integer[])) AS p ORDER BY 1) AS chosen"
)


async def hold_partitions(conn: AsyncConnection, persons: Iterable[str]) -> None:
    """In a ledger transaction: the partitions of ``persons`` are this transaction's until it
    ends, so two replicas never score one person at once (PostgreSQL; SQLite has one writer).
    Taken in ascending order, as every transaction does, so none waits in a circle."""
    if conn.dialect.name != "postgresql":
        return
    chosen = sorted({partitions.partition_of(person) for person in persons})
    if chosen:
        await conn.execute(HOLD_PARTITIONS_SQL, {"k": PARTITION_LOCK, "partitions": chosen})
