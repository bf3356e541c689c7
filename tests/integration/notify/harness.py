"""A notify dispatcher wired by hand, with a clock the test moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify.bootstrap import policy_from
from services.notify.channels import Channel
from services.notify.dispatcher import Dispatcher, Sender
from services.notify.intake import take
from services.notify.models import OutboxEntry
from services.notify.teams import TeamsSender
from shared.database import session_factory
from shared.events import CloudEvent
from shared.settings import NotifySettings


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Harness:
    def __init__(
        self,
        engine: AsyncEngine,
        settings: NotifySettings,
        channels: Sequence[Channel],
        http: httpx.AsyncClient,
        senders: dict[str, Sender] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.sessions = session_factory(engine)
        self.settle = timedelta(seconds=settings.notify_settle_seconds)
        self.channels = list(channels)
        self.clock = Clock(now or datetime.now(UTC))
        self.senders = senders or {"teams": TeamsSender(http, per_second=50)}
        self.dispatcher = Dispatcher(
            self.sessions, self.channels, self.senders, policy_from(settings), self.clock
        )

    async def take(self, events: Sequence[CloudEvent[Any]]) -> None:
        async with self.sessions() as session:
            await take(session, events, self.channels, self.settle, self.clock())
            await session.commit()

    async def outbox(self) -> list[OutboxEntry]:
        async with self.sessions() as session:
            return list((await session.exec(select(OutboxEntry).order_by(OutboxEntry.id))).all())  # type: ignore[arg-type]
