"""The database unreachable for longer than the redeliveries last: notify holds the awards
in hand and waits (readiness red), nothing goes to the dead letters, and every award is
taken in once the database answers. A card posted just before the database went away is
recorded once it is back, not posted again.

The outage is simulated at the intake (every call fails as on a refused connection); the
fault suite (``devtools.faults``, ``postgres-outage``) stops a real PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

import httpx
from nats.js import JetStreamContext
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.channels import Channel
from services.notify.consumer import AwardConsumer
from services.notify.delivery import Delivery
from services.notify.dispatcher import Sender
from services.notify.facts import Facts
from services.notify.models import Status
from services.notify.teams import TeamsSender
from shared.bus import publish
from shared.database import session_factory
from shared.events import CloudEvent
from shared.settings import NotifySettings
from tests.integration.notify.awards import badge
from tests.integration.notify.conftest import Sandbox
from tests.integration.notify.harness import Harness

DAY = date(2026, 11, 23)
ACK_WAIT = 3.0


def refused() -> OperationalError:
    return OperationalError("INSERT", None, ConnectionRefusedError("connection refused"))


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def test_awards_met_by_an_outage_are_held_and_taken_in_once_it_ends(
    js: JetStreamContext,
) -> None:
    down = True
    taken: list[str] = []
    attempts = 0

    async def intake(events: Sequence[CloudEvent[Any]]) -> None:
        nonlocal attempts
        attempts += 1
        if down:
            raise refused()
        taken.extend(event.id for event in events)

    awards = [badge(f"p-{i}", f"Explorer {i}") for i in range(3)]
    for award in awards:
        await publish(js, award)
    consumer = AwardConsumer(js, intake, batch_size=10, max_deliver=2, ack_wait=ACK_WAIT)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: asyncio.sleep(0, attempts > 0))
        # Longer than ack_wait and than max_deliver redeliveries would take.
        await asyncio.sleep(ACK_WAIT + 1.5)
        assert not consumer.store_up
        assert not task.done()
        info = await js.consumer_info("AWARDS", consumer.source.durable)
        assert info.num_redelivered == 0
        assert (await js.stream_info("DLQ")).state.messages == 0

        down = False

        async def settled() -> bool:
            info = await js.consumer_info("AWARDS", consumer.source.durable)
            return consumer.store_up and not info.num_pending and not info.num_ack_pending

        await eventually(settled)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)

    assert sorted(taken) == sorted(award.id for award in awards)
    assert (await js.stream_info("DLQ")).state.messages == 0


class Outage:
    """A session factory whose database refuses every connection while ``down``."""

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self.sessions = sessions
        self.down = False

    def __call__(self) -> AsyncSession:
        if self.down:
            raise refused()
        return self.sessions()


class DownAfterPosting:
    """Posts through ``inner``, then takes the database away for ``seconds``."""

    def __init__(self, inner: Sender, outage: Outage, seconds: float) -> None:
        self.inner, self.outage, self.seconds = inner, outage, seconds

    def ready(self, channel: Channel) -> bool:
        return self.inner.ready(channel)

    async def send(self, channel: Channel, facts: Facts, names: Any) -> Delivery:
        delivery = await self.inner.send(channel, facts, names)
        self.outage.down = True
        asyncio.get_running_loop().call_later(self.seconds, setattr, self.outage, "down", False)
        return delivery


async def test_a_card_posted_as_the_database_goes_away_is_recorded_not_posted_again(
    engine: AsyncEngine,
    notify_settings: Callable[..., NotifySettings],
    sandbox: Sandbox,
) -> None:
    office = Channel.model_validate({"name": "office", "type": "teams", "url": sandbox.webhook})
    async with httpx.AsyncClient() as http:
        outage = Outage(session_factory(engine))
        teams = DownAfterPosting(TeamsSender(http, per_second=50), outage, 1.5)
        h = Harness(engine, notify_settings(), [office], http, senders={"teams": teams})
        h.dispatcher.sessions = outage  # type: ignore[assignment]
        await h.take([badge("p-1", "Explorer")])

        assert await h.dispatcher.tick() == 1  # waits for the database to record the post
        assert not outage.down
        [entry] = await h.outbox()
        assert entry.status == Status.SENT
        assert await h.dispatcher.tick() == 0
    assert len(await sandbox.posts()) == 1
