"""Award messages holding a CloudEvents JSON batch are taken in like single events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import httpx
import orjson
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify.channels import Channel
from services.notify.consumer import AwardConsumer
from services.notify.models import SeenAward
from shared.bus import EncodedEvent, batched, publish, publish_encoded_many
from shared.database import session_factory
from shared.events import CloudEvent
from shared.settings import NotifySettings
from tests.integration.notify.awards import badge, points
from tests.integration.notify.conftest import Sandbox, eventually
from tests.integration.notify.harness import Harness

DAY = date(2026, 11, 23)


def office(sandbox: Sandbox) -> Channel:
    return Channel.model_validate({"name": "office", "type": "teams", "url": sandbox.webhook})


def encoded(event: CloudEvent[Any]) -> EncodedEvent:
    return EncodedEvent(event.data.nats_subject(), event.id, event.type, event.to_bytes())


async def publish_batch(js: JetStreamContext, bodies: Sequence[bytes], subject: str) -> None:
    kind = subject
    singles = [EncodedEvent(subject, f"e-{i}", kind, body) for i, body in enumerate(bodies)]
    await publish_encoded_many(js, batched(singles))


async def seen_ids(engine: AsyncEngine) -> set[str]:
    async with session_factory(engine)() as session:
        return set((await session.exec(select(SeenAward.event_id))).all())


async def consume(js: JetStreamContext, consumer: AwardConsumer, durable: str) -> None:
    """Fetch what is on AWARDS and handle it once; everything must be settled after."""
    sub = await js.pull_subscribe(
        "awards.*", durable=durable, stream="AWARDS", config=consumer.config
    )
    await consumer.handle(await sub.fetch(100, timeout=5))
    await sub.unsubscribe()

    async def settled() -> bool:
        info = await js.consumer_info("AWARDS", durable)
        return bool(
            info.num_ack_pending == 0 and info.num_pending == 0 and info.delivered.stream_seq
        )

    await eventually(settled, timeout=10)  # every message acknowledged (or terminated)


async def dead_letters(js: JetStreamContext, expected: int) -> list[Any]:
    dlq = await js.pull_subscribe("dlq.awards", durable="dlq-batch-reader", stream="DLQ")
    messages = await dlq.fetch(expected, timeout=5)
    await dlq.unsubscribe()
    return messages


async def test_batch_messages_and_single_messages_are_taken_in_alike(
    js: JetStreamContext,
    engine: AsyncEngine,
    notify_settings: Callable[..., NotifySettings],
    sandbox: Sandbox,
) -> None:
    badges = [badge(f"p-{i}", f"Explorer {i}") for i in range(3)]
    scores = [points(f"p-{i}", 5 + i, DAY, team="Red") for i in range(40)]
    single = badge("p-9", "Pioneer")
    await publish_encoded_many(js, batched(encoded(e) for e in badges))
    await publish_encoded_many(js, batched((encoded(e) for e in scores), max_events=25))
    await publish(js, single)
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)
        taken: list[int] = []

        async def intake(events: Sequence[CloudEvent[Any]]) -> None:
            taken.append(len(events))
            await h.take(events)

        consumer = AwardConsumer(js, intake, batch_size=100, max_intake=30)

        await consume(js, consumer, "notify-batches")

        outbox = await h.outbox()
    assert sorted(str(entry.event_id) for entry in outbox) == sorted(
        e.id for e in [*badges, single]
    )
    assert await seen_ids(engine) == {e.id for e in [*badges, *scores, single]}
    assert taken == [3 + 25, 15 + 1]  # whole messages, up to max_intake events at a time


async def test_an_unreadable_element_is_dead_lettered_alone(
    js: JetStreamContext,
    engine: AsyncEngine,
    notify_settings: Callable[..., NotifySettings],
    sandbox: Sandbox,
) -> None:
    good = [badge("p-1", "Explorer"), badge("p-2", "Explorer")]
    unreadable = b'{"specversion":"1.0","id":"broken","type":"awards.badge","data":{}}'
    await publish_batch(
        js, [good[0].to_bytes(), unreadable, good[1].to_bytes()], subject="awards.badge"
    )
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)
        consumer = AwardConsumer(js, h.take, batch_size=10)

        await consume(js, consumer, "notify-bad-element")

        outbox = await h.outbox()
    assert sorted(str(entry.event_id) for entry in outbox) == sorted(e.id for e in good)
    [dead] = await dead_letters(js, 1)
    assert orjson.loads(dead.data) == orjson.loads(unreadable)
    assert dead.headers and dead.headers["Uptake-Reason"].startswith("unparseable element 1:")
    assert dead.headers["Uptake-Subject"] == "awards.badge"


async def test_on_its_last_delivery_a_batch_dead_letters_only_what_intake_refuses(
    js: JetStreamContext,
    engine: AsyncEngine,
    notify_settings: Callable[..., NotifySettings],
    sandbox: Sandbox,
) -> None:
    awards = [badge(f"p-{i}", "Explorer") for i in range(4)]
    refused = awards[2]
    await publish_encoded_many(js, batched(encoded(e) for e in awards))
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)

        async def picky(events: Sequence[CloudEvent[Any]]) -> None:
            if any(event.id == refused.id for event in events):
                raise RuntimeError("cannot store this one")
            await h.take(events)

        consumer = AwardConsumer(js, picky, batch_size=10, max_deliver=1)

        await consume(js, consumer, "notify-refused")

        outbox = await h.outbox()
    assert sorted(str(entry.event_id) for entry in outbox) == sorted(
        e.id for e in awards if e is not refused
    )
    [dead] = await dead_letters(js, 1)
    assert orjson.loads(dead.data)["id"] == refused.id
    assert dead.headers and "intake failed after 1 deliveries" in dead.headers["Uptake-Reason"]
