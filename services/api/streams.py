"""Open live streams of the office screens: how many, what each sends, and for how long.

A process keeps at most ``API_LIVE_MAX_STREAMS`` streams open; past that a screen
is told to come back later (503 with ``Retry-After``) rather than let idle
connections exhaust the process. A stream opened with a display token checks
that token again at least every ``RECHECK_SECONDS``, whether messages flow or
not, and ends once it was revoked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sse_starlette import EventSourceResponse
from starlette.types import Receive, Scope, Send

from services.api.live import encode

RECHECK_SECONDS = 30.0
RETRY_AFTER_SECONDS = 30


class StreamSlots:
    """How many streams this process may still open."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= self.limit:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken = max(0, self.taken - 1)


class SlotResponse(EventSourceResponse):
    """An event stream that gives its slot back however it ends (done, cancelled, HEAD)."""

    def __init__(self, content: AsyncIterator[bytes], slots: StreamSlots, **options: Any):
        super().__init__(content, **options)
        self._slots = slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._slots.give_back()


async def screen_events(
    queue: asyncio.Queue[bytes],
    hello: dict[str, object],
    still_allowed: Callable[[], Awaitable[bool]],
    *,
    recheck_seconds: float = RECHECK_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[bytes]:
    """``hello``, then the queued messages until ``still_allowed`` says no."""
    yield encode("hello", hello)
    checked = clock()
    while True:
        due = checked + recheck_seconds - clock()
        message: bytes | None = None
        if due > 0:
            with contextlib.suppress(TimeoutError):
                message = await asyncio.wait_for(queue.get(), due)
        if clock() - checked >= recheck_seconds:
            if not await still_allowed():
                return  # the display token was revoked: end the stream
            checked = clock()
        if message is not None:
            yield message
