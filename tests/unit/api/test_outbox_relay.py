"""The outbox relay failing part-way: what went out is gone, the rest waits in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.api.outbox import OutboxEvent, OutboxRelay, enqueue
from shared.database import create_engine, create_tables
from shared.events import KudosGiven

pytestmark = pytest.mark.asyncio


class FlakyJetStream:
    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.sent: list[str] = []

    async def publish(self, subject: str, body: bytes, headers: dict[str, str]) -> None:
        if len(self.sent) == self.fail_at:
            self.fail_at = -1  # fails once
            raise TimeoutError("nats: timeout")
        self.sent.append(headers["Nats-Msg-Id"])


class FakeClient:
    is_connected = True

    def __init__(self, js: FlakyJetStream) -> None:
        self._js = js

    def jetstream(self) -> Any:
        return self._js


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    await create_tables(eng)
    yield eng
    await eng.dispose()


async def test_a_failure_part_way_keeps_the_unpublished_rest_in_order(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        ids = [
            enqueue(
                session,
                KudosGiven(
                    kudos=f"k{n}", giver="a", receiver="b", value="helpful", date=date(2026, 1, 5)
                ),
            ).id
            for n in range(5)
        ]
        await session.commit()
    js = FlakyJetStream(fail_at=2)
    relay = OutboxRelay(engine, FakeClient(js))
    with pytest.raises(TimeoutError):
        await relay.publish_pending()
    async with AsyncSession(engine) as session:
        left = [row.event_id for row in (await session.execute(select(OutboxEvent))).scalars()]
    assert left == ids[2:]
    assert await relay.publish_pending() == 3
    assert js.sent == ids
    await relay.close()
