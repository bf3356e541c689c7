"""The gateway's link to NATS: connect in the background, follow AWARDS, rule changes and
the community's announcements (COMMUNITY: stories, kudos, champion events).

The gateway serves boards from Redis even while NATS is away, so it connects
in the background and keeps trying; ``/readyz`` says whether it is connected.
Every replica must see every award and announcement to push it to its own
screens, so each one follows each stream with an ordered, ephemeral consumer
from "now" rather than sharing a durable one; nothing is lost that matters,
since a screen reloads its views after any gap. A message may hold a CloudEvents JSON batch (scoring
sends points awards that way): each of its events is handed on by itself, so a
batch of N awards counts as N.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy

from shared.batches import decode
from shared.events import CloudEvent
from shared.logs import get_logger
from shared.stream_scrub import REWRITTEN_HEADER
from shared.streams import API_STREAMS, AWARDS, COMMUNITY, CONTROL, ensure_streams
from shared.subjects import CONTROL_RULES

log = get_logger(__name__)

EventHandler = Callable[[CloudEvent[Any]], Awaitable[None]]

# What the gateway follows: subject filter and stream.
FOLLOWED = (
    ("awards.>", AWARDS.name),
    (CONTROL_RULES, CONTROL.name),
    ("community.>", COMMUNITY.name),
)


class BusLink:
    def __init__(
        self,
        url: str,
        on_event: EventHandler,
        *,
        name: str = "uptake-api",
        replicas: int = 1,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self._url = url
        self._options = dict(options or {})  # user, password, TLS (shared.bus.connection_options)
        self._replicas = replicas
        self._on_event = on_event
        self._name = name
        self.client: Client | None = None
        self.following = False  # subscribed to awards, rule changes and the community
        self._task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.is_connected

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="nats-link")

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                self.client = await nats.connect(
                    self._url,
                    name=self._name,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    connect_timeout=2,
                    allow_reconnect=True,
                    error_cb=self._on_error,
                    **self._options,
                )
                js = self.client.jetstream()
                await ensure_streams(js, self._replicas, API_STREAMS)
                for subject, stream in FOLLOWED:
                    await js.subscribe(
                        subject,
                        stream=stream,
                        cb=self._receive,
                        ordered_consumer=True,
                        deliver_policy=DeliverPolicy.NEW,
                    )
                self.following = True
                log.info("following awards, rule changes and the community")
                return
            except Exception as exc:
                log.warning("nats not reachable yet", error=str(exc), retry_in=delay)
                if self.client is not None:
                    await self.client.close()
                    self.client = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _on_error(self, exc: Exception) -> None:
        log.warning("nats error", error=str(exc))

    async def _receive(self, msg: Msg) -> None:
        """Hand on the event a message holds, or each event of a batch message, in order."""
        if REWRITTEN_HEADER in (msg.headers or {}):
            return  # others' awards published again by an erasure: screens saw them before
        try:
            events, unreadable = decode(msg)
        except ValueError as exc:
            log.warning("unreadable event", error=str(exc)[:300], subject=msg.subject)
            return
        if unreadable:
            log.warning(
                "unreadable events in a batch",
                subject=msg.subject,
                unreadable=len(unreadable),
                error=unreadable[0].reason,
            )
        for event in events:
            await self._on_event(event)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client is not None and not self.client.is_closed:
            await self.client.drain()
