"""Events the gateway announces, written in the same transaction as the change they announce.

A write endpoint calls :func:`enqueue` before it commits: the event's row commits or
rolls back with the change itself, so no change goes unannounced and no announcement
describes a change that did not happen. :class:`OutboxRelay` publishes pending rows to
JetStream in the order they were written, with the CloudEvent id as ``Nats-Msg-Id``,
and deletes each row once JetStream has stored it. While NATS is away rows wait, and
the relay retries with a growing pause.

Several gateway replicas may relay at once. On PostgreSQL each takes its rows with
``FOR UPDATE SKIP LOCKED``; should two still publish the same row (a replica stopped
between publishing and deleting), JetStream's duplicate window drops the repeat and
every consumer is idempotent on the event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client
from sqlalchemy import Column, DateTime, Text, delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from shared.events import CloudEvent, Payload
from shared.logs import get_logger

log = get_logger(__name__)

SOURCE = "uptake/api"


class OutboxEvent(SQLModel, table=True):
    """One event waiting to be published; deleted once JetStream has it."""

    __tablename__ = "api_outbox"

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=80)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


_relays: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()


def enqueue(session: AsyncSession, payload: Payload) -> CloudEvent[Any]:
    """Add the CloudEvent of ``payload`` to ``session``'s transaction; returns the event.

    The relays of this process are woken when the transaction commits, so the event is
    on the bus moments later; a rollback discards it with the change it announced.
    """
    cloud_event: CloudEvent[Any] = CloudEvent.wrap(payload, source=SOURCE)
    session.add(
        OutboxEvent(
            event_id=cloud_event.id,
            subject=payload.nats_subject(),
            body=cloud_event.to_bytes().decode(),
            created_at=datetime.now(UTC),
        )
    )
    sync_session = session.sync_session
    if not event.contains(sync_session, "after_commit", _wake_relays):
        event.listen(sync_session, "after_commit", _wake_relays, once=True)
    return cloud_event


def _wake_relays(_: Session) -> None:
    for relay in list(_relays):
        relay.wake()


class OutboxRelay:
    """Publishes the outbox to JetStream: at once when woken, and every ``poll`` seconds."""

    def __init__(
        self,
        engine: AsyncEngine,
        client: Any,
        *,
        batch: int = 200,
        poll: float = 2.0,
        max_pause: float = 30.0,
    ) -> None:
        """``client`` is a connected ``nats.aio.client.Client``, or a callable returning
        the current one (or ``None`` while not connected), e.g. the gateway's bus link."""
        self._engine = engine
        self._client = client
        self._batch = batch
        self._poll = poll
        self._max_pause = max_pause
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        _relays.add(self)

    def _nats(self) -> Client | None:
        client = self._client() if callable(self._client) else self._client
        if client is None or not client.is_connected:
            return None
        nats_client: Client = client
        return nats_client

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="api-outbox-relay")

    async def close(self) -> None:
        _relays.discard(self)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        pause = self._poll
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            self._wake.clear()
            try:
                while await self.publish_pending() == self._batch:
                    pass  # a full batch: more may be waiting
                pause = self._poll
            except Exception as exc:  # NATS or SQL away: rows wait for the next attempt
                pause = min(max(pause * 2, 1.0), self._max_pause)
                log.warning("outbox not relayed", error=str(exc)[:300], retry_in=pause)

    async def publish_pending(self) -> int:
        """Publish up to one batch of pending events in order; returns how many."""
        client = self._nats()
        if client is None:
            return 0
        js = client.jetstream()
        async with AsyncSession(self._engine) as session, session.begin():
            query = select(OutboxEvent).order_by(OutboxEvent.seq).limit(self._batch)  # type: ignore[arg-type]
            if self._engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.execute(query)).scalars())
            done: list[int] = []
            failure: Exception | None = None
            for row in rows:
                try:
                    await js.publish(
                        row.subject, row.body.encode(), headers={"Nats-Msg-Id": row.event_id}
                    )
                except Exception as exc:  # keep what was published; the rest waits
                    failure = exc
                    break
                assert row.seq is not None
                done.append(row.seq)
            if done:
                await session.execute(delete(OutboxEvent).where(OutboxEvent.seq.in_(done)))  # type: ignore[union-attr]
        if failure is not None:
            raise failure
        self.published += len(done)
        if done:
            log.debug("outbox relayed", events=len(done))
        return len(rows)
