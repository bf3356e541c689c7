"""The AWARDS and COMMUNITY subscribers: durable JetStream pull consumers written on
nats-py directly, one per stream (``notify-awards`` on ``awards.*``,
``notify-community`` on ``community.>``), each with its own intake.

Why not a faststream subscriber: intake commits a whole fetched batch in one SQL
transaction and then acks each message, and a failing message is either
nak'ed with a delay or, on its last allowed delivery, copied to ``dlq.<stream>``
with the reason; nats-py makes each of those steps explicit, and faststream's
in-memory test broker would not exercise them anyway.

Semantics match NACK_ON_ERROR: an error naks (redelivery), never drops.

A message holds one event or a CloudEvents JSON batch of them (scoring sends
points in batches): an element that cannot be read goes to ``dlq.<stream>``
alone, with its reason, and the rest is taken in; on the last delivery of a
batch whose intake keeps failing, only the events intake refuses one by one are
dead-lettered. A reason names what is wrong, never the values: a story's text
stays out of dead-letter headers and logs.

A busy machine or a reconnect can make a JetStream API call time out; that is
waited out (creating the consumer, fetching, acking), never fatal: an
unacknowledged message simply comes back after ``ack_wait`` and intake is
idempotent.

An unreachable database is not a message's fault either: the messages in hand
are held (progress acknowledgements keep JetStream from redelivering them or
counting a delivery) and their intake retried with backoff until the database
answers; ``store_up`` is False meanwhile, and readiness red.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.errors import ConnectionReconnectingError, NoRespondersError
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import ServiceUnavailableError
from pydantic import ValidationError

from shared import outage
from shared.batches import Unreadable, decode
from shared.database import store_unreachable
from shared.events import (
    AwardBase,
    ChampionChanged,
    ChampionEventChanged,
    CloudEvent,
    KudosGiven,
    NewsletterPublished,
    Payload,
    StoryPublished,
    TipPosted,
    parse_event,
)
from shared.logs import get_logger
from shared.subjects import dead_letter

log = get_logger(__name__)


@dataclass(frozen=True)
class Source:
    """A stream notify reads, with its durable consumer and the payloads it takes in."""

    stream: str
    subject: str
    durable: str
    payloads: tuple[type[Payload], ...]
    # Payloads carry people's own words (a story): a failed intake is logged by the kind
    # of error alone, since a database error's text quotes the values it was given.
    words: bool = False


AWARDS = Source("AWARDS", "awards.*", "notify-awards", (AwardBase,))
COMMUNITY = Source(
    "COMMUNITY",
    "community.>",
    "notify-community",
    (
        KudosGiven,
        StoryPublished,
        TipPosted,
        ChampionEventChanged,
        ChampionChanged,
        NewsletterPublished,
    ),
    words=True,
)
DURABLE, SUBJECT, STREAM = AWARDS.durable, AWARDS.subject, AWARDS.stream

Intake = Callable[[Sequence[CloudEvent[Any]]], Awaitable[None]]

# Errors that say "not now" (no answer in time, reconnecting, JetStream not up yet).
TRANSIENT: tuple[type[Exception], ...] = (
    NatsTimeout,
    TimeoutError,
    ConnectionReconnectingError,
    NoRespondersError,
    ServiceUnavailableError,
)


async def patiently(step: Callable[[], Awaitable[Any]], stop: asyncio.Event, what: str) -> bool:
    """Run ``step`` until it succeeds without a transient error; ``False`` if stopped first."""
    delay = 0.5
    while not stop.is_set():
        try:
            await step()
            return True
        except TRANSIENT as exc:
            log.warning("NATS not answering; retrying", step=what, error=type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 10.0)
    return False


def _kind_of_current_error() -> str:
    kind = sys.exc_info()[0]
    return kind.__name__ if kind is not None else "unknown"


def reason_of(exc: ValueError) -> str:
    """Why a message cannot be read, without the values it holds."""
    if isinstance(exc, ValidationError):
        reasons = []
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            reasons.append(f"{where}: {error['msg']}" if where else error["msg"])
        return "; ".join(reasons)
    return str(exc)


class StreamConsumer:
    """Ack policy explicit, durable ``source.durable``, ``batch_size`` messages a fetch,
    ``max_ack_pending`` and ``ack_wait`` from settings; redelivered up to ``max_deliver``
    times, then dead-lettered."""

    def __init__(
        self,
        js: JetStreamContext,
        intake: Intake,
        source: Source,
        *,
        batch_size: int = 100,
        max_deliver: int = 5,
        ack_wait: float = 30.0,
        max_ack_pending: int = 1000,
        max_intake: int = 5000,
    ) -> None:
        self.js = js
        self.intake = intake
        self.source = source
        self.batch_size = batch_size
        self.max_intake = max_intake  # events per intake call (whole messages, at least one)
        self.ack_wait = ack_wait
        self.store_up = True  # False while intake finds the database unreachable (readiness)
        self._stop = asyncio.Event()
        self.config = ConsumerConfig(
            durable_name=source.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=max_deliver,
            ack_wait=ack_wait,
            max_ack_pending=max_ack_pending,
            filter_subject=source.subject,
        )

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        subscription: list[JetStreamContext.PullSubscription] = []

        source = self.source

        async def subscribe() -> None:
            subscription.append(
                await self.js.pull_subscribe(
                    source.subject, durable=source.durable, stream=source.stream, config=self.config
                )
            )

        if not await patiently(subscribe, stop, f"create consumer {source.durable}"):
            return
        [sub] = subscription
        log.info("consuming", durable=source.durable, subject=source.subject, batch=self.batch_size)
        try:
            while not stop.is_set():
                try:
                    messages = await sub.fetch(self.batch_size, timeout=1.0)
                except (TimeoutError, NatsTimeout):
                    continue
                except TRANSIENT:
                    # Fails at once (reconnecting): wait a little instead of spinning.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 0.5)
                    continue
                try:
                    await self.handle(messages)
                except TRANSIENT as exc:
                    # Whatever was not acked is redelivered after ack_wait.
                    log.warning("acknowledging failed; redelivery follows", error=repr(exc))
        finally:
            # The durable consumer stays on the server; only this client's interest ends.
            with contextlib.suppress(NatsError):
                await sub.unsubscribe()

    async def handle(self, messages: Sequence[Msg]) -> None:
        parsed: list[tuple[Msg, list[CloudEvent[Any]]]] = []
        for msg in messages:
            try:
                events, unreadable = decode(msg)
            except ValueError as exc:
                await self.dead_letter(msg, f"unparseable: {reason_of(exc)}"[:300])
                continue
            for element in unreadable:
                why = self.why_unreadable(element)
                reason = f"unparseable element {element.position}: {why}"
                await self.dead_letter_element(msg, element.body, reason, str(element.position))
            taken = [e for e in events if isinstance(e.data, self.source.payloads)]
            if not taken:
                await msg.ack()
                continue
            parsed.append((msg, taken))
        # Batch messages hold hundreds of events: one intake transaction takes in
        # whole messages up to about max_intake events, so it stays well within ack_wait.
        chunk: list[tuple[Msg, list[CloudEvent[Any]]]] = []
        held = 0
        for msg, awards in parsed:
            if chunk and held + len(awards) > self.max_intake:
                await self.take_in(chunk)
                chunk, held = [], 0
            chunk.append((msg, awards))
            held += len(awards)
        if chunk:
            await self.take_in(chunk)

    def why_unreadable(self, element: Unreadable) -> str:
        """Why an element of a batch cannot be read, without its words where it has some."""
        if not self.source.words:
            return element.reason
        try:
            parse_event(element.body)
        except ValueError as exc:
            return reason_of(exc)
        return "unreadable"

    async def take_in(self, parsed: list[tuple[Msg, list[CloudEvent[Any]]]]) -> None:
        """Intake of some messages' events in one go, then their acks."""
        held = [msg for msg, _ in parsed]
        try:
            if not await self.patient_intake(held, [e for _, events in parsed for e in events]):
                return
        except Exception:
            if len(parsed) == 1:
                await self.failed(*parsed[0])
                return
            # One bad event must not hold back the batch: retry them one by one.
            for msg, events in parsed:
                await self.handle_one(msg, events)
            return
        for msg in held:
            await msg.ack()

    async def handle_one(self, msg: Msg, events: list[CloudEvent[Any]]) -> None:
        try:
            if not await self.patient_intake([msg], events):
                return
        except Exception:
            await self.failed(msg, events)
            return
        await msg.ack()

    async def patient_intake(self, held: list[Msg], events: list[CloudEvent[Any]]) -> bool:
        """Intake of ``events``, waiting out an unreachable database meanwhile.

        True once taken in; False when notify stops first (the held messages come back
        after ``ack_wait``). Any other error is raised, for the caller's retries.
        """
        try:
            await self.intake(events)
            return True
        except Exception as exc:
            if not store_unreachable(exc):
                raise
        self.store_up = False
        log.warning(
            "database unreachable, holding messages", held=len(held), stream=self.source.stream
        )
        try:
            waited = await outage.wait_out(
                lambda: self.intake(events), held, self._stop, self.ack_wait, store_unreachable
            )
        finally:
            self.store_up = True  # back, refusing, or stopping: no outage to report any more
        if waited is None:
            return False
        log.info("database reachable again", after_seconds=round(waited, 1))
        return True

    async def failed(self, msg: Msg, events: list[CloudEvent[Any]]) -> None:
        deliveries = msg.metadata.num_delivered
        about = {"event_id": events[0].id, "events": len(events), "delivery": deliveries}
        if self.source.words:
            log.warning("intake failed", error=_kind_of_current_error(), **about)
        else:
            log.exception("intake failed", **about)
        if deliveries < (self.config.max_deliver or 1):
            await msg.nak(delay=min(60.0, 2.0**deliveries))
        elif len(events) == 1:
            await self.dead_letter(msg, f"intake failed after {deliveries} deliveries")
        else:
            await self.give_up_on_some(msg, events, deliveries)

    async def give_up_on_some(
        self, msg: Msg, events: list[CloudEvent[Any]], deliveries: int
    ) -> None:
        """The last delivery of a batch message: dead-letter only the events intake refuses."""
        reason = f"intake failed after {deliveries} deliveries"
        for event in events:
            try:
                if not await self.patient_intake([msg], [event]):
                    return  # stopping: the message comes back
            except Exception:
                log.warning("event refused by intake", event_id=event.id, delivery=deliveries)
                await self.dead_letter_element(msg, event.to_bytes(), reason, event.id)
        await msg.ack()

    async def dead_letter(self, msg: Msg, reason: str) -> None:
        headers = {
            "Uptake-Reason": reason,
            "Uptake-Subject": msg.subject,
            "Nats-Msg-Id": f"notify-dlq-{msg.metadata.sequence.stream}",
        }
        await self.js.publish(dead_letter(self.source.stream), msg.data, headers=headers)
        await msg.term()
        log.warning("dead-lettered", subject=msg.subject, reason=reason)

    async def dead_letter_element(self, msg: Msg, body: bytes, reason: str, tag: str) -> None:
        """One event of a batch message to the dead letters; the rest of the message goes on.

        ``tag`` tells the event apart within the message (its position or id).
        """
        reason = reason.replace("\n", " ")[:300]
        headers = {
            "Uptake-Reason": reason,
            "Uptake-Subject": msg.subject,
            "Nats-Msg-Id": f"notify-dlq-{msg.metadata.sequence.stream}-{tag}",
        }
        await self.js.publish(dead_letter(self.source.stream), body, headers=headers)
        log.warning("event dead-lettered", subject=msg.subject, reason=reason)


class AwardConsumer(StreamConsumer):
    """AWARDS: what scoring decided."""

    def __init__(self, js: JetStreamContext, intake: Intake, **options: Any) -> None:
        super().__init__(js, intake, AWARDS, **options)


class CommunityConsumer(StreamConsumer):
    """COMMUNITY: tips, stories, kudos, champion events and champions, announced by the api."""

    def __init__(self, js: JetStreamContext, intake: Intake, **options: Any) -> None:
        super().__init__(js, intake, COMMUNITY, **options)
