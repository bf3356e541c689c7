"""The SIGNALS subscriber: a durable pull consumer that works in batches.

Raw nats-py rather than a faststream subscriber: a batch must be acknowledged
only after its one ledger transaction, a poison message inside a batch must be
told apart and dead-lettered alone, and the delivery count of each message
decides when boards need an exact repair. Faststream's batch subscriber acks or
nacks the batch as a whole and hides per-message metadata, so it is in the way.

A message holds one CloudEvent or a CloudEvents JSON batch of them (bulk
publishers such as ingest send batches); an event in a batch that cannot be
read goes to the dead letters alone, with its reason, and the rest is scored.

Semantics (NACK_ON_ERROR): a failed batch is retried message by message; a
message that fails is negatively acknowledged with a delay and comes back, up
to ``max_deliver`` times; on its last delivery, or when it cannot be parsed at
all, it goes to ``dlq.signals`` with the reason in headers and is acknowledged.

An unreachable store (database or Redis) is not the message's fault: the batch
in hand is held, kept from redelivery with progress acknowledgements, until the
store answers again, then scored; readiness is red meanwhile. An outage met
between batches is waited out the same way rather than ending the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError
from pydantic import TypeAdapter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.scoring import replicas
from services.scoring.privacy_streams import StreamScrubber
from services.scoring.scorer import Batch, LanesFailed, Outcome, Scorer, Staged, describe
from services.scoring.signals import ActivityEvent, read_activities
from services.scoring.store import unattributed
from shared import outage, subjects, suppression
from shared.bus import MSG_ID_HEADER, is_batch
from shared.database import store_unreachable
from shared.events import (
    CloudEvent,
    CopilotActivity,
    DirectoryPerson,
    RecognitionGranted,
    RecognitionRevoked,
    UnattributedActivity,
    UnattributedRetired,
)
from shared.logs import get_logger
from shared.partitions import base_of
from shared.stream_scrub import keys_in, scrub_message
from shared.streams import SIGNALS

log = get_logger(__name__)


def transient(exc: BaseException) -> bool:
    """The database or Redis cannot be reached now: waited out, never a message's fault."""
    return store_unreachable(exc) or isinstance(exc, RedisConnectionError | RedisTimeoutError)


def bus_or_store_down(exc: BaseException) -> bool:
    """NATS, the database or Redis did not answer: the replica's bookkeeping tries again at
    the next heartbeat."""
    return transient(exc) or isinstance(exc, NatsError)


@dataclass(frozen=True)
class ConsumerSettings:
    durable: str = "scoring"
    batch_size: int = 500  # messages per fetch at most
    batch_events: int = 5000  # events per ledger transaction, about (batch messages hold many)
    flush_seconds: float = 0.25  # boards, announcements and acks at least this often
    flush_events: int = 10_000  # ... or after this many events
    max_deliver: int = 5
    ack_wait: float = 60.0
    max_ack_pending: int = 20_000
    fetch_timeout: float = 1.0
    nak_delay: float = 2.0

    def config(self) -> ConsumerConfig:
        """The durable's settings, reading every partition; :mod:`replicas` narrows it."""
        return ConsumerConfig(
            durable_name=self.durable,
            description="scoring: signals to ledger, boards and awards",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait,
            max_deliver=self.max_deliver,
            max_ack_pending=self.max_ack_pending,
            filter_subjects=list(SIGNALS.subjects),
        )


GATHER_SECONDS = 0.005  # after the first message of a trickle, how long to wait for more


class PoisonMessage(ValueError):
    """A message that can never be processed: it goes straight to the dead letters."""


# Envelope classes resolved once: building CloudEvent[X] per message is costly.
ENVELOPES: dict[str, type[CloudEvent[Any]]] = {
    subjects.COPILOT_ACTIVITY: CloudEvent[CopilotActivity],
    subjects.DIRECTORY_PERSON: CloudEvent[DirectoryPerson],
    subjects.COPILOT_UNATTRIBUTED: CloudEvent[UnattributedActivity],
    subjects.COPILOT_UNATTRIBUTED_RETIRED: CloudEvent[UnattributedRetired],
    subjects.RECOGNITION_GRANTED: CloudEvent[RecognitionGranted],
    subjects.RECOGNITION_REVOKED: CloudEvent[RecognitionRevoked],
}
# Report facts about nobody in the directory: stored for the tenant-wide adoption figure
# beside the batch, never scored.
UNATTRIBUTED_SUBJECTS = frozenset(
    {subjects.COPILOT_UNATTRIBUTED, subjects.COPILOT_UNATTRIBUTED_RETIRED}
)


LISTS: dict[str, TypeAdapter[list[CloudEvent[Any]]]] = {
    subject: TypeAdapter(list[envelope])  # type: ignore[valid-type]
    for subject, envelope in ENVELOPES.items()
}


class PoisonEvent(PoisonMessage):
    """One unreadable event inside a batch message: dead-lettered alone."""

    def __init__(self, reason: str, body: bytes) -> None:
        super().__init__(reason)
        self.body = body


def envelope_for(msg: Msg) -> type[CloudEvent[Any]]:
    envelope = ENVELOPES.get(base_of(msg.subject))
    if envelope is None:
        raise PoisonMessage(f"unexpected subject {msg.subject}")
    return envelope


def checked(event: CloudEvent[Any], subject: str) -> CloudEvent[Any]:
    if event.type != event.data.event_type:
        raise PoisonMessage(f"event type {event.type} on {subject}")
    return event


def parse(msg: Msg) -> CloudEvent[Any]:
    envelope = envelope_for(msg)
    try:
        event = envelope.model_validate_json(msg.data)
    except ValueError as exc:
        raise PoisonMessage(f"unparseable: {str(exc)[:300]}") from None
    return checked(event, msg.subject)


def parse_batch(msg: Msg) -> tuple[list[Any], list[PoisonEvent]]:
    """The events of a batch message, and the ones that could not be read.

    The whole array is validated in one call (activities by msgspec first, see
    ``signals``); only when that fails is it taken apart, so that one bad event
    does not hold back the others.
    """
    envelope = envelope_for(msg)
    kind = base_of(msg.subject)
    if kind == subjects.COPILOT_ACTIVITY:
        fast = read_activities(msg.data)
        if fast is not None:
            return fast, []
    try:
        events = LISTS[kind].validate_json(msg.data)
    except ValueError:
        pass
    else:
        good: list[CloudEvent[Any]] = []
        bad: list[PoisonEvent] = []
        for event in events:
            try:
                good.append(checked(event, msg.subject))
            except PoisonMessage as exc:
                bad.append(PoisonEvent(str(exc), event.model_dump_json().encode()))
        return good, bad
    try:
        items = orjson.loads(msg.data)
    except orjson.JSONDecodeError as exc:
        raise PoisonMessage(f"unparseable batch: {str(exc)[:300]}") from None
    if not isinstance(items, list):
        raise PoisonMessage("a batch message must hold a JSON array of events")
    good, bad = [], []
    for item in items:
        body = orjson.dumps(item)
        try:
            good.append(checked(envelope.model_validate(item), msg.subject))
        except ValueError as exc:
            bad.append(PoisonEvent(f"unparseable: {str(exc)[:300]}", body))
    return good, bad


def batch_add(batch: Batch, msg: Msg, seen_until: int = 0) -> list[PoisonEvent]:
    """Add a message's events to ``batch``; returns the events it could not read.

    A message that came before to this durable marks its people as redelivered; one
    that another replica's durable may have had (up to stream sequence ``seen_until``)
    marks them as possibly seen: redelivered if their signals are stored already.
    """
    if is_batch(msg):
        events, bad = parse_batch(msg)
    else:
        events, bad = [parse(msg)], []
    meta = msg.metadata
    redelivered = meta.num_delivered > 1
    maybe_seen = not redelivered and meta.sequence.stream <= seen_until
    for event in events:
        if isinstance(event, ActivityEvent) or isinstance(event.data, CopilotActivity):
            batch.activities.append(event)
        elif isinstance(event.data, RecognitionGranted | RecognitionRevoked):
            batch.recognition.append(event)
        else:
            batch.people.append(event.data)
        if redelivered:
            batch.redelivered.add(str(event.data.person))
        elif maybe_seen:
            batch.maybe_seen.add(str(event.data.person))
    return bad


GC_THRESHOLDS = (50_000, 20, 20)


def relax_gc() -> None:
    """Collect garbage less often while consuming.

    Batches allocate hundreds of thousands of short-lived objects; with the
    default thresholds the collector ran so often, over a heap of long-lived
    connections, rules and cached boards, that it cost about a tenth of the
    scoring CPU. What exists at start-up is frozen out of collections.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class SignalConsumer:
    """Reads SIGNALS into the scorer, alone or as one of several replicas.

    With a :class:`replicas.Roster` (PostgreSQL), the replicas split the
    partitions among themselves and this one moves to its new share whenever the
    live replicas change; without one it reads every partition.
    """

    def __init__(
        self,
        js: JetStreamContext,
        scorer: Scorer,
        settings: ConsumerSettings,
        roster: replicas.Roster | None = None,
    ) -> None:
        self.js = js
        self.scorer = scorer
        self.settings = settings
        self.roster = roster
        self.assignment: replicas.Assignment | None = None  # None: beyond the partitions
        self.durable: str | None = None
        self._next_beat = 0.0
        self._retired = True  # the durables of other replica counts are gone
        self._seen_until = 0  # see replicas.seen_until
        self.processed = 0
        self._stop = asyncio.Event()
        self._sync = asyncio.Event()
        self._settling: tuple[asyncio.Task[Outcome], list[Msg]] | None = None
        # Staged batches (ledger committed) whose boards and acks wait for the next flush.
        self._pending: Staged | None = None
        self._pending_messages: list[Msg] = []
        self._pending_since = 0.0
        self._pending_events = 0
        # Events per message, a decaying maximum: the first fetch asks for one message,
        # which may be a batch of hundreds of events.
        self._per_message = float(settings.batch_events)
        self._caught_up = True  # the last fetch found less than it asked for
        self.store_up = True  # False while the database or Redis is unreachable (readiness)
        self.scrubber = StreamScrubber(scorer.engine, js)

    def stop(self) -> None:
        self._stop.set()

    def request_sync(self) -> None:
        """Run the idle hook after the batch in hand (a rule set was published)."""
        self._sync.set()

    async def run(
        self, on_idle: Callable[[], Awaitable[None]] | None = None, once: bool = False
    ) -> None:
        relax_gc()
        await self._place()
        sub = await self._subscribe()
        try:
            while not self._stop.is_set():
                if self.roster is not None and time.monotonic() >= self._next_beat:
                    sub = await self._rebalance(sub)
                if sub is None:  # more replicas than partitions: this one waits its turn
                    await asyncio.wait([asyncio.ensure_future(self._stop.wait())], timeout=1.0)
                    continue
                wanted = self.fetch_size()
                try:
                    messages = await self.next_messages(sub, wanted)
                except (TimeoutError, FetchTimeoutError):
                    # The batches staged or being settled must not wait for more traffic
                    # to be acknowledged: unacknowledged, they would come back after ack_wait.
                    await self.flush()
                    await self.finish()
                    await self.scorer.gate.leave()
                    await self._between_batches(on_idle)
                    if once:
                        await self.scrubber.wait()
                        return
                    continue
                except NatsError as exc:
                    # The durable went away (retired by a replica that saw the others
                    # change first): find this replica's place again.
                    log.warning("fetch failed, rejoining", error=str(exc)[:200])
                    await self.flush()
                    await self.finish()
                    sub = await self._resubscribe(sub)
                    await asyncio.sleep(0.2)
                    continue
                await self.process(messages)
                self._caught_up = len(messages) < wanted
                if self._caught_up:
                    await self.flush()  # no reason to hold boards back
                if self._sync.is_set() and on_idle is not None:
                    self._sync.clear()
                    await self.flush()
                    await self.finish()
                    await self.scorer.gate.leave()
                    await self._between_batches(on_idle)
        finally:
            await self.flush()
            await self.finish()
            await self.scorer.gate.leave()
            self.scrubber.cancel()
            if sub is not None:
                await sub.unsubscribe()
            if self.roster is not None:
                with contextlib.suppress(Exception):
                    await self.roster.leave()  # the others take over this share at once

    def leads(self) -> bool:
        """Whether this replica does the work done once for all (closing challenges,
        the insight cube): the first of them, or the only one."""
        return self.assignment is not None and self.assignment.index == 0

    async def _place(self) -> None:
        """This replica's place among the live ones (the roster's heartbeat); alone without a
        roster. An unreachable database keeps the place it had."""
        if self.roster is None:
            self.assignment = replicas.ALONE
            return
        self._next_beat = time.monotonic() + self.roster.heartbeat
        while True:
            try:
                self.assignment = await self.roster.beat()
                return
            except Exception as exc:
                if not transient(exc):
                    raise
                if self.durable is not None or self.assignment is not None:
                    return  # keep reading where it did; the next beat tries again
                if not await self._wait_for_store([], exc):
                    return

    async def _subscribe(self) -> JetStreamContext.PullSubscription | None:
        """Bind to the durable of this replica's place, creating it if need be."""
        if self.assignment is None:
            self.durable = None
            return None
        self.durable = await replicas.ensure_durable(
            self.js, self.settings.durable, self.assignment, self.settings.config()
        )
        sub = await self.js.pull_subscribe_bind(durable=self.durable, stream=SIGNALS.name)
        self._caught_up = True
        self._retired = self.roster is None
        await self._look_around()
        log.info(
            "consuming",
            stream=SIGNALS.name,
            durable=self.durable,
            partitions=list(self.assignment.partitions()),
        )
        return sub

    async def _resubscribe(
        self, sub: JetStreamContext.PullSubscription | None
    ) -> JetStreamContext.PullSubscription | None:
        """Leave ``sub`` with nothing in hand, and bind again where this replica is now."""
        await self.scorer.gate.leave()
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        return await self._subscribe()

    async def _rebalance(
        self, sub: JetStreamContext.PullSubscription | None
    ) -> JetStreamContext.PullSubscription | None:
        """A heartbeat; when the live replicas changed, finish the batches in hand and move to
        this replica's new share. The first replica retires the durables of other counts."""
        before = self.assignment
        await self._place()
        if self.assignment != before:
            log.info(
                "replicas changed",
                before=None if before is None else before.replicas,
                now=None if self.assignment is None else self.assignment.replicas,
            )
            await self.flush()
            await self.finish()
            sub = await self._resubscribe(sub)
        elif sub is not None:
            await self._look_around()
        if not self._retired and self.assignment is not None and self.assignment.index == 0:
            try:
                self._retired = await replicas.retire_others(
                    self.js, self.scorer.engine, self.settings.durable, self.assignment
                )
            except Exception as exc:
                if not bus_or_store_down(exc):
                    raise
                log.warning("durables not retired yet", error=str(exc)[:200])
        return sub

    async def _look_around(self) -> None:
        """How far other replicas' durables may have handed out this one's partitions."""
        if self.roster is None or self.assignment is None:
            return
        try:
            self._seen_until = max(
                self._seen_until,
                await replicas.seen_until(
                    self.js, self.scorer.engine, self.settings.durable, self.assignment
                ),
            )
        except Exception as exc:
            if not bus_or_store_down(exc):
                raise
            log.warning("other durables not read", error=str(exc)[:200])

    async def _between_batches(self, on_idle: Callable[[], Awaitable[None]] | None) -> None:
        """The idle hook (rules, challenges) and the stream scrub; an unreachable store
        is waited out here, not allowed to end the consumer."""
        try:
            if on_idle is not None:
                await on_idle()
            await self.scrubber.tick()
        except Exception as exc:
            if not transient(exc):
                raise
            await self._wait_for_store([], exc)

    async def _wait_for_store(self, held: list[Msg], exc: BaseException) -> bool:
        """Hold ``held`` until the store answers again; False when the consumer stops first
        (see :mod:`shared.outage`)."""
        self.store_up = False
        log.warning(
            "store unreachable, waiting",
            error=str(exc)[:300],
            held=len(held),
            kind=type(exc).__name__,
        )
        waited = await outage.wait_out(
            self.scorer.reachable,
            held,
            self._stop,
            self.settings.ack_wait,
            still_down=lambda _: True,  # whatever the probe meets, the store is not back
        )
        if waited is None:
            return False
        self.store_up = True
        log.info("store reachable again", after_seconds=round(waited, 1))
        return True

    async def next_messages(self, sub: JetStreamContext.PullSubscription, wanted: int) -> list[Msg]:
        """The next messages: up to ``wanted`` from a backlog, or the first that arrive.

        A pull for many messages waits until all of them came or it expires, so
        a consumer that has caught up asks for one message (returned as soon
        as it arrives) and then for what else is already there.
        """
        if not self._caught_up:
            return await sub.fetch(wanted, timeout=self.settings.fetch_timeout)
        messages = await sub.fetch(1, timeout=self.settings.fetch_timeout)
        if wanted > 1:
            with contextlib.suppress(TimeoutError, FetchTimeoutError):
                messages += await sub.fetch(wanted - 1, timeout=GATHER_SECONDS)
        return messages

    def fetch_size(self) -> int:
        """Messages to ask for: about ``batch_events`` events, whatever a message holds."""
        wanted = int(self.settings.batch_events / max(1.0, self._per_message))
        return max(1, min(self.settings.batch_size, wanted))

    async def process(self, messages: list[Msg]) -> None:
        """Stage a batch (ledger), then settle it (boards, awards, acks).

        While a backlog lasts, staged batches are settled together every
        ``flush_seconds`` (or ``flush_events``): a board entry touched by
        several batches is written once. Once caught up, each batch is settled
        at once. Settling overlaps the next batch's ledger transaction unless it
        has to repair or rebuild boards; messages are acknowledged after both.
        """
        good: list[Msg] = []
        aside: list[Msg] = []
        batch = Batch()
        for msg in messages:
            if msg.subject in UNATTRIBUTED_SUBJECTS:
                aside.append(msg)
                continue
            try:
                unreadable = batch_add(batch, msg, self._seen_until)
            except PoisonMessage as exc:
                await self.dead_letter(msg, str(exc))
                continue
            for event in unreadable:
                await self.dead_letter_event(msg, event)
            good.append(msg)
        if aside:
            await self.record_unattributed(aside)
        if not good:
            return
        while True:
            try:
                await self._enter_gate()
                if erased := await suppression.erased_among(self.scorer.engine, batch.persons()):
                    batch = batch.without(erased)
                    await self.take_out(good, erased)
                stages = await self.scorer.stage_all(batch)
                break
            except Exception as exc:
                if not await self._failed(good, exc):
                    return
                # The store answers again: the same batch, whose committed part is a no-op now.
        events = len(batch.activities) + len(batch.people)
        self._per_message = max(1.0, events / len(good), self._per_message / 2)
        await self._stage_done(stages)
        self._pending_messages += good
        self._pending_events += events
        if any(self.scorer.exclusive(staged) for staged in stages):
            await self.flush()
            await self.finish()
        elif (
            self._pending_events >= self.settings.flush_events
            or time.monotonic() - self._pending_since >= self.settings.flush_seconds
        ):
            await self.flush()

    async def _enter_gate(self) -> None:
        """Hold the board gate shared before staging (see :mod:`board_gate`); a hold kept
        through a long backlog is let go first, with everything staged under it settled,
        so a replica waiting to set exact values gets its turn."""
        gate = self.scorer.gate
        if gate.held_long():
            await self.flush()
            await self.finish()
            await gate.leave()
        await gate.enter()

    async def take_out(self, messages: list[Msg], erased: set[str]) -> None:
        """Messages naming erased people (published before ingest heard of the erasure)
        scrubbed from the stream as they come by; their other events come back rewritten."""
        for msg in messages:
            if keys_in(msg.data) & erased:
                await scrub_message(
                    self.js,
                    SIGNALS.name,
                    msg.metadata.sequence.stream,
                    msg.subject,
                    msg.headers,
                    msg.data,
                    erased,
                )

    async def record_unattributed(self, messages: list[Msg]) -> None:
        """Store unattributed facts and retirements (one transaction), then acknowledge.

        The table ends the same whatever the order or repeats (``store.unattributed``),
        so these messages need not wait for the scored batch around them.
        """
        facts: list[unattributed.Unattributed] = []
        retirements: list[int] = []
        read: list[Msg] = []
        for msg in messages:
            try:
                events, bad = parse_batch(msg) if is_batch(msg) else ([parse(msg)], [])
            except PoisonMessage as exc:
                await self.dead_letter(msg, str(exc))
                continue
            for event in bad:
                await self.dead_letter_event(msg, event)
            for event in events:
                if isinstance(event.data, UnattributedRetired):
                    retirements.append(event.data.epoch)
                else:
                    facts.append(unattributed.Unattributed(event.id, event.data))
            read.append(msg)
        if not read:
            return
        identities = {fact.data.report_identity for fact in facts}
        while True:
            try:
                if erased := await suppression.erased_among(self.scorer.engine, identities):
                    facts = [f for f in facts if f.data.report_identity not in erased]
                    await self.take_out(read, erased)
                kept = await unattributed.record(self.scorer.engine, facts, retirements)
                break
            except Exception as exc:
                if transient(exc):
                    if await self._wait_for_store(read, exc):
                        continue
                    return  # stopping: the messages come back to whoever consumes next
                log.warning("unattributed facts not stored, will retry", error=str(exc)[:300])
                for msg in read:
                    await self._retry_or_dead_letter(msg, exc)
                return
        for msg in read:
            await msg.ack()
        self.processed += len(read)
        log.debug("unattributed facts stored", kept=kept, retirements=retirements)

    async def _stage_done(self, stages: list[Staged]) -> None:
        """Add staged batches to the pending ones (settled together under one rule set)."""
        for staged in stages:
            pending = self._pending
            if pending is None or staged.active.version != pending.active.version:
                await self.flush()  # nothing staged yet, or staged under other rules
                self._pending = staged
                self._pending_since = time.monotonic()
            else:
                pending.absorb(staged)

    async def _failed(self, good: list[Msg], exc: Exception) -> bool:
        """A batch failed: settle what did commit, then retry or isolate its messages.

        True when the store was unreachable and answers again: the caller retries the
        batch, held meanwhile. False when the messages were dealt with here.
        """
        if isinstance(exc, LanesFailed):
            await self._stage_done(exc.committed)  # settled below, with no message of its own
            exc = exc.error
        await self.flush()
        await self.finish()
        if transient(exc):
            return await self._wait_for_store(good, exc)
        log.warning("batch failed, isolating", error=str(exc)[:300], size=len(good))
        if len(good) == 1:
            await self._retry_or_dead_letter(good[0], exc)
            return False
        for msg in good:
            await self.process([msg])
        return False

    async def flush(self) -> None:
        """Start settling the staged batches, once the previous settling is acknowledged."""
        staged, messages = self._pending, self._pending_messages
        if staged is None:
            return
        self._pending, self._pending_messages, self._pending_events = None, [], 0
        await self.finish()
        self._settling = (asyncio.create_task(self.scorer.settle(staged)), messages)

    async def finish(self) -> None:
        """Wait for the batch being settled and acknowledge it (or have it redelivered)."""
        if self._settling is None:
            return
        task, messages = self._settling
        self._settling = None
        try:
            outcome = await task
        except Exception as exc:
            if transient(exc):
                # The ledger has these signals; their redelivery, once the store is back,
                # repairs the boards.
                if await self._wait_for_store(messages, exc):
                    for msg in messages:
                        await msg.nak()
                return
            log.warning("settling failed, will retry", error=str(exc)[:300], size=len(messages))
            for msg in messages:
                await self._retry_or_dead_letter(msg, exc)
            return
        await self._ack(messages, outcome)

    async def _ack(self, messages: list[Msg], outcome: Outcome) -> None:
        for msg in messages:
            await msg.ack()
        self.processed += len(messages)
        log.debug("batch scored", size=len(messages), **describe(outcome))

    async def _retry_or_dead_letter(self, msg: Msg, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        if msg.metadata.num_delivered >= self.settings.max_deliver:
            await self.dead_letter(msg, reason)
        else:
            await msg.nak(delay=self.settings.nak_delay)

    async def dead_letter(self, msg: Msg, reason: str) -> None:
        meta = msg.metadata
        headers = {
            "Uptake-Reason": reason.replace("\n", " ")[:500],
            "Uptake-Subject": msg.subject,
            "Uptake-Stream-Seq": str(meta.sequence.stream),
            "Uptake-Deliveries": str(meta.num_delivered),
        }
        original = (msg.headers or {}).get(MSG_ID_HEADER)
        if original:
            headers[MSG_ID_HEADER] = f"dlq-{original}"
        await self.js.publish(subjects.dead_letter(SIGNALS.name), msg.data, headers=headers)
        await msg.ack()
        log.warning("dead-lettered", subject=msg.subject, seq=meta.sequence.stream, reason=reason)

    async def dead_letter_event(self, msg: Msg, event: PoisonEvent) -> None:
        """One event of a batch message to the dead letters; the message itself goes on."""
        meta = msg.metadata
        reason = str(event).replace("\n", " ")[:500]
        headers = {
            "Uptake-Reason": reason,
            "Uptake-Subject": msg.subject,
            "Uptake-Stream-Seq": str(meta.sequence.stream),
            "Uptake-Deliveries": str(meta.num_delivered),
            MSG_ID_HEADER: "dlq-" + hashlib.sha256(event.body).hexdigest()[:32],
        }
        await self.js.publish(subjects.dead_letter(SIGNALS.name), event.body, headers=headers)
        log.warning(
            "event dead-lettered", subject=msg.subject, seq=meta.sequence.stream, reason=reason
        )
