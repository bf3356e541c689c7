"""The SIGNALS subscriber: a durable pull consumer that works in batches.

Raw nats-py rather than a faststream subscriber: a batch must be acknowledged
only after its one ledger transaction, a poison message inside a batch must be
told apart and dead-lettered alone, and the delivery count of each message
decides when boards need an exact repair. Faststream's batch subscriber acks or
nacks the batch as a whole and hides per-message metadata, so it is in the way.

Semantics (NACK_ON_ERROR): a failed batch is retried message by message; a
message that fails is negatively acknowledged with a delay and comes back, up
to ``max_deliver`` times; on its last delivery, or when it cannot be parsed at
all, it goes to ``dlq.signals`` with the reason in headers and is acknowledged.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from services.scoring.scorer import Batch, Outcome, Scorer, describe
from shared import subjects
from shared.events import CloudEvent, CopilotActivity, DirectoryPerson
from shared.logs import get_logger
from shared.streams import SIGNALS

log = get_logger(__name__)

TRANSIENT = (OperationalError, RedisConnectionError, ConnectionError, asyncio.TimeoutError)


@dataclass(frozen=True)
class ConsumerSettings:
    durable: str = "scoring"
    batch_size: int = 500
    max_deliver: int = 5
    ack_wait: float = 60.0
    max_ack_pending: int = 20_000
    fetch_timeout: float = 1.0
    nak_delay: float = 2.0

    def config(self) -> ConsumerConfig:
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


class PoisonMessage(ValueError):
    """A message that can never be processed: it goes straight to the dead letters."""


def to_batch(messages: list[Msg]) -> Batch:
    batch = Batch()
    for msg in messages:
        batch_add(batch, msg)
    return batch


# Envelope classes resolved once: building CloudEvent[X] per message is costly.
ENVELOPES: dict[str, type[CloudEvent[Any]]] = {
    subjects.COPILOT_ACTIVITY: CloudEvent[CopilotActivity],
    subjects.DIRECTORY_PERSON: CloudEvent[DirectoryPerson],
}


def parse(msg: Msg) -> CloudEvent[Any]:
    envelope = ENVELOPES.get(msg.subject)
    if envelope is None:
        raise PoisonMessage(f"unexpected subject {msg.subject}")
    try:
        event = envelope.model_validate_json(msg.data)
    except ValueError as exc:
        raise PoisonMessage(f"unparseable: {str(exc)[:300]}") from None
    if event.type != event.data.event_type:
        raise PoisonMessage(f"event type {event.type} on {msg.subject}")
    return event


def batch_add(batch: Batch, msg: Msg) -> None:
    event = parse(msg)
    if isinstance(event.data, CopilotActivity):
        batch.activities.append(event)
    else:
        batch.people.append(event.data)
    person = str(event.data.person)
    if msg.metadata.num_delivered > 1:
        batch.redelivered.add(person)


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
    def __init__(self, js: JetStreamContext, scorer: Scorer, settings: ConsumerSettings) -> None:
        self.js = js
        self.scorer = scorer
        self.settings = settings
        self.processed = 0
        self._stop = asyncio.Event()
        self._sync = asyncio.Event()
        self._settling: tuple[asyncio.Task[Outcome], list[Msg]] | None = None

    def stop(self) -> None:
        self._stop.set()

    def request_sync(self) -> None:
        """Run the idle hook after the batch in hand (a rule set was published)."""
        self._sync.set()

    async def run(
        self, on_idle: Callable[[], Awaitable[None]] | None = None, once: bool = False
    ) -> None:
        relax_gc()
        # Create or update, so changed settings reach an existing durable consumer.
        await self.js.add_consumer(SIGNALS.name, config=self.settings.config())
        sub = await self.js.pull_subscribe_bind(durable=self.settings.durable, stream=SIGNALS.name)
        log.info("consuming", stream=SIGNALS.name, durable=self.settings.durable)
        try:
            while not self._stop.is_set():
                try:
                    messages = await sub.fetch(
                        self.settings.batch_size, timeout=self.settings.fetch_timeout
                    )
                except (TimeoutError, FetchTimeoutError):
                    # The batch being settled must not wait for more traffic to be
                    # acknowledged: unacknowledged, it would come back after ack_wait.
                    await self.finish()
                    if on_idle is not None:
                        await on_idle()
                    if once:
                        return
                    continue
                await self.process(messages)
                if self._sync.is_set() and on_idle is not None:
                    self._sync.clear()
                    await self.finish()
                    await on_idle()
        finally:
            await self.finish()
            await sub.unsubscribe()

    async def process(self, messages: list[Msg]) -> None:
        """Stage a batch (ledger), then settle it (boards, awards, acks).

        Settling overlaps the next batch's ledger transaction unless it has to
        repair or rebuild boards; messages are acknowledged after both.
        """
        good: list[Msg] = []
        batch = Batch()
        for msg in messages:
            try:
                batch_add(batch, msg)
                good.append(msg)
            except PoisonMessage as exc:
                await self.dead_letter(msg, str(exc))
        if not good:
            return
        try:
            staged = await self.scorer.stage(batch)
        except TRANSIENT as exc:
            await self.finish()
            log.warning("batch failed, will retry", error=str(exc)[:300], size=len(good))
            for msg in good:
                await self._retry_or_dead_letter(msg, exc)
            return
        except Exception as exc:
            await self.finish()
            log.warning("batch failed, isolating", error=str(exc)[:300], size=len(good))
            if len(good) == 1:
                await self._retry_or_dead_letter(good[0], exc)
                return
            for msg in good:
                await self.process([msg])
            return
        await self.finish()
        self._settling = (asyncio.create_task(self.scorer.settle(staged)), good)
        if self.scorer.exclusive(staged):
            await self.finish()

    async def finish(self) -> None:
        """Wait for the batch being settled and acknowledge it (or have it redelivered)."""
        if self._settling is None:
            return
        task, messages = self._settling
        self._settling = None
        try:
            outcome = await task
        except Exception as exc:
            # The ledger has these signals; their redelivery repairs the boards.
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
        original = (msg.headers or {}).get("Nats-Msg-Id")
        if original:
            headers["Nats-Msg-Id"] = f"dlq-{original}"
        await self.js.publish(subjects.dead_letter(SIGNALS.name), msg.data, headers=headers)
        await msg.ack()
        log.warning("dead-lettered", subject=msg.subject, seq=meta.sequence.stream, reason=reason)
