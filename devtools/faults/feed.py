"""Publishing signals as ingest does, through faults: a message is published again until
JetStream acknowledges it (same ``Nats-Msg-Id``, so a retry of a stored one is a duplicate)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

from nats.aio.client import Client
from nats.errors import Error as NatsError

from shared.bus import EncodedEvent

WINDOW = 64  # messages in flight
RETRY_SECONDS = 0.25
ACK_TIMEOUT = 5.0


@dataclass
class Sent:
    messages: int = 0
    events: int = 0
    retries: int = 0


class Feeder:
    """Publishes messages at a steady rate, or as fast as acknowledgements come."""

    def __init__(self, nc: Client) -> None:
        self.js = nc.jetstream(timeout=ACK_TIMEOUT)
        self.sent = Sent()

    async def publish_one(self, message: EncodedEvent) -> None:
        while True:
            try:
                await self.js.publish(
                    message.subject, message.body, headers=message.headers(), timeout=ACK_TIMEOUT
                )
            except (NatsError, TimeoutError, OSError):
                self.sent.retries += 1
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.sent.messages += 1
            self.sent.events += message.held
            return

    async def publish(
        self, messages: Iterable[EncodedEvent], per_second: float | None = None
    ) -> Sent:
        """All of ``messages``, at most ``per_second`` messages a second when given."""
        started = time.monotonic()
        window: list[EncodedEvent] = []
        for count, message in enumerate(messages, start=1):
            window.append(message)
            if len(window) >= (WINDOW if per_second is None else max(1, int(per_second / 10))):
                await asyncio.gather(*(self.publish_one(m) for m in window))
                window.clear()
                if per_second is not None:
                    ahead = count / per_second - (time.monotonic() - started)
                    if ahead > 0:
                        await asyncio.sleep(ahead)
        await asyncio.gather(*(self.publish_one(m) for m in window))
        return self.sent
