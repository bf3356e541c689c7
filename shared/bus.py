"""NATS connection and CloudEvent publishing over JetStream."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, NamedTuple

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.events import CloudEvent
from shared.logs import get_logger

log = get_logger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"


async def connect(url: str, name: str) -> Client:
    """Connect with reconnects that keep trying: the bus may start after us."""

    async def on_error(exc: Exception) -> None:
        log.warning("nats error", error=str(exc))

    return await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        error_cb=on_error,
    )


def headers_for(event: CloudEvent[Any]) -> dict[str, str]:
    return {MSG_ID_HEADER: event.id, "ce-type": event.type}


async def publish(js: JetStreamContext, event: CloudEvent[Any]) -> bool:
    """Publish one event and wait for the ack; ``False`` when JetStream saw it before."""
    ack = await js.publish(event.data.subject_name, event.to_bytes(), headers=headers_for(event))
    return not ack.duplicate


class EncodedEvent(NamedTuple):
    """A CloudEvent already serialised, for bulk paths that skip per-event model overhead."""

    subject: str
    id: str
    type: str
    body: bytes


async def publish_many(
    js: JetStreamContext, events: Iterable[CloudEvent[Any]], *, in_flight: int = 2000
) -> tuple[int, int]:
    """Publish many events with bounded acks in flight; returns (new, duplicates).

    Each event is acknowledged by JetStream before this returns, so a caller may
    move its watermark forward only after it has returned.
    """
    encoded = (
        EncodedEvent(event.data.subject_name, event.id, event.type, event.to_bytes())
        for event in events
    )
    return await publish_encoded_many(js, encoded, in_flight=in_flight)


async def publish_encoded_many(
    js: JetStreamContext, events: Iterable[EncodedEvent], *, in_flight: int = 2000
) -> tuple[int, int]:
    """:func:`publish_many` for events serialised by the caller (same guarantees)."""
    window: list[asyncio.Future[Any]] = []
    new = duplicates = 0

    async def drain() -> None:
        nonlocal new, duplicates
        for ack in await asyncio.gather(*window):
            if ack.duplicate:
                duplicates += 1
            else:
                new += 1
        window.clear()

    for event in events:
        window.append(
            await js.publish_async(
                event.subject,
                event.body,
                headers={MSG_ID_HEADER: event.id, "ce-type": event.type},
            )
        )
        if len(window) >= in_flight:
            await drain()
    await drain()
    return new, duplicates
