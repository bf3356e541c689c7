"""Sends due outbox rows, politely: quiet hours, daily limits, bursts folded into digests
(at most one per channel per fold window, see :mod:`services.notify.digest`).

The order per row is: post, then mark it sent in its own commit. A crash can
therefore repeat at most the one post per channel that the channel accepted in
the milliseconds before that commit; nothing accepted-and-marked is sent again,
and nothing unmarked is lost (see README.md, "Duplicate window").
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify import outbox
from services.notify.cards import as_told
from services.notify.channels import Channel
from services.notify.delivery import Delivery, backoff
from services.notify.digest import AWARDS_FOLD, Fold, fold_burst, schedule_weekly
from services.notify.facts import Facts, load_facts, people_in
from services.notify.health import channel_health, set_health
from services.notify.kudos_fold import KUDOS_FOLD
from services.notify.models import OutboxEntry
from services.notify.politeness import QuietHours
from services.notify.status import POSTS
from shared import outage
from shared.database import store_unreachable
from shared.logs import get_logger
from shared.people import Person
from shared.small_groups import group_sizes

log = get_logger(__name__)

# Cards that fold into a digest when many are due at once: awards, and kudos.
FOLDS: tuple[Fold, ...] = (AWARDS_FOLD, KUDOS_FOLD)


class Sender(Protocol):
    def ready(self, channel: Channel) -> bool: ...

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery: ...


@dataclass(frozen=True)
class Policy:
    quiet: QuietHours
    daily_limit: int = 25
    burst_threshold: int = 8
    fold_seconds: float = 300.0  # how long a digest stays open for more cards
    max_attempts: int = 8
    per_tick: int = 20
    digest_weekday: int = 0
    digest_hour: int = 9
    min_group_size: int = 5
    # How long a row being sent stays hidden from other dispatchers; longer than one send
    # (HTTP timeout plus a rate-limit wait). After a crash the row is sent again after this.
    claim_seconds: float = 60.0


def system_clock() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Sequence[Channel],
        senders: Mapping[str, Sender],
        policy: Policy,
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self.sessions = sessions
        self.channels = list(channels)
        self.senders = senders
        self.policy = policy
        self.clock = clock
        self.stopping = asyncio.Event()
        self.alerted: set[str] | None = None  # channels whose health says an admin must act
        self.store_up = True  # False while the outbox's database is unreachable (readiness)

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, poll: float = 1.0) -> None:
        self.stopping = stop
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:
                if not store_unreachable(exc):
                    log.exception("dispatch round failed")
                elif self.store_up:
                    log.warning("database unreachable, dispatch waits", kind=type(exc).__name__)
                    self.store_up = False
            else:
                if not self.store_up:
                    log.info("database reachable again, dispatch goes on")
                    self.store_up = True
            wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def tick(self) -> int:
        """One round over every channel; returns how many posts the channels accepted."""
        now = self.clock()
        async with self.sessions() as session:
            if self.alerted is None:
                self.alerted = {h.channel for h in await channel_health(session) if h.state != "ok"}
            await schedule_weekly(session, self.channels, now, self.policy)
        sent = 0
        for channel in self.channels:
            if self.stopping.is_set():
                break
            sent += await self.channel_round(channel, now)
        return sent

    async def channel_round(self, channel: Channel, now: datetime) -> int:
        sender = self.senders[channel.type]
        if not sender.ready(channel) or not self.policy.quiet.allows(now):
            return 0
        limit = channel.daily_limit or self.policy.daily_limit
        async with self.sessions() as session:
            today = await outbox.sent_since(session, channel.name, self.policy.quiet.day_start(now))
            room = min(limit - today, self.policy.per_tick)
            if room <= 0:
                return 0
            skip: list[str] = []
            for fold in FOLDS:
                digest_pending = await fold_burst(
                    session,
                    channel,
                    now,
                    threshold=self.policy.burst_threshold,
                    window=timedelta(seconds=self.policy.fold_seconds),
                    fold=fold,
                )
                if digest_pending:
                    skip += fold.kinds
            entries = await outbox.due(session, channel.name, now, room, skip)
        sent = 0
        for entry in entries:
            if self.stopping.is_set():
                break
            delivery = await self.deliver(channel, sender, entry)
            if delivery.outcome == "sent":
                sent += 1
            elif delivery.outcome in ("retry", "auth"):
                break  # the channel is throttled, failing or signed out: leave it be for now
        return sent

    async def names_for(self, session: AsyncSession, people: set[str]) -> dict[str, str]:
        """Display names of the opted-in people among ``people``; nobody else is named."""
        if not people:
            return {}
        query = select(Person).where(col(Person.person).in_(people)).where(Person.opted_in)
        return {
            p.person: p.display_name
            for p in (await session.exec(query)).all()
            if p.display_name and not p.removed
        }

    async def deliver(self, channel: Channel, sender: Sender, entry: OutboxEntry) -> Delivery:
        assert entry.id is not None
        now = self.clock()
        async with self.sessions() as session:
            until = now + timedelta(seconds=self.policy.claim_seconds)
            if not await outbox.claim(session, entry.id, now, until):
                return Delivery("skipped", "claimed by another dispatcher")
            # Read after the claim: a digest folds no more cards once claimed.
            facts = load_facts(await outbox.facts_of(session, entry.id) or entry.facts)
            names = await self.names_for(session, people_in(facts))
            facts = as_told(facts, names, await group_sizes(session), self.policy.min_group_size)
        # Shielded so that a stop signal cannot land between the post and its mark.
        return await asyncio.shield(self._post_and_mark(channel, sender, entry, facts, names))

    async def _post_and_mark(
        self,
        channel: Channel,
        sender: Sender,
        entry: OutboxEntry,
        facts: Facts,
        names: Mapping[str, str],
    ) -> Delivery:
        assert entry.id is not None
        delivery = await sender.send(channel, facts, names)
        POSTS.labels(channel.name, delivery.outcome).inc()
        await self._until_recorded(lambda: self._record(channel, entry, delivery))
        return delivery

    async def _until_recorded(self, record: Callable[[], Awaitable[None]]) -> None:
        """Write what a post did, waiting out an unreachable database: a post made but not
        recorded would be posted again once its claim expires. Only stopping gives up."""
        try:
            await record()
            return
        except Exception as exc:
            if not store_unreachable(exc) or self.stopping.is_set():
                raise
        if self.store_up:
            log.warning("database unreachable, a post waits to be recorded")
        self.store_up = False
        # No message is held here, so there is no ack deadline to keep.
        waited = await outage.wait_out(record, [], self.stopping, math.inf, store_unreachable)
        if waited is None:
            raise RuntimeError("notify stopped before a post could be recorded")

    async def _record(self, channel: Channel, entry: OutboxEntry, delivery: Delivery) -> None:
        assert entry.id is not None
        attempts = entry.attempts + 1
        async with self.sessions() as session:
            if delivery.outcome == "sent":
                await outbox.mark_sent(session, entry.id, self.clock())
                log.info("posted", channel=channel.name, key=entry.key, kind=entry.kind)
                if self.alerted and channel.name in self.alerted:
                    self.alerted.discard(channel.name)
                    await set_health(session, channel.name, "ok", None)
                    log.info("channel recovered", channel=channel.name)
            elif delivery.outcome == "auth":
                await outbox.set_fields(session, entry.id, not_before=self.clock())  # unclaim
                self.alerted = (self.alerted or set()) | {channel.name}
                await set_health(session, channel.name, "signed-out", delivery.detail)
                log.error(
                    "ADMIN ACTION NEEDED: channel signed out; run "
                    "`python -m services.notify engage-login`",
                    channel=channel.name,
                    detail=delivery.detail,
                )
            elif delivery.outcome == "dead" or attempts >= self.policy.max_attempts:
                await outbox.mark_dead(session, entry.id, attempts, delivery.detail)
                log.error(
                    "dead-lettered post",
                    channel=channel.name,
                    key=entry.key,
                    detail=delivery.detail,
                )
            else:
                wait = delivery.retry_after
                if wait is None:
                    wait = backoff(attempts)
                until = self.clock() + timedelta(seconds=wait)
                await outbox.mark_retry(session, entry.id, attempts, until, delivery.detail)
                log.warning(
                    "post will be retried",
                    channel=channel.name,
                    key=entry.key,
                    detail=delivery.detail,
                    wait_seconds=round(wait, 2),
                )
