"""A short-lived cache of rendered boards: many screens ask for the same board.

Entries live for ``ttl`` seconds and are dropped as soon as an award arrives,
so a screen never shows a board older than the last award it was told about.
Concurrent misses for one key share a single render, so an expiry under load
costs one render, not one per waiting request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class RenderedCache:
    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[Hashable, tuple[float, bytes]] = {}
        self._rendering: dict[Hashable, asyncio.Future[bytes]] = {}
        self._generation = 0

    async def get(self, key: Hashable, render: Callable[[], Awaitable[bytes]]) -> bytes:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        generation = self._generation
        pending = self._rendering.get(key)
        if pending is None:
            # A task of its own: a caller that goes away does not cancel the others' render.
            pending = asyncio.ensure_future(render())
            self._rendering[key] = pending
            pending.add_done_callback(lambda done: self._finish(key, done))
        body = await asyncio.shield(pending)
        # A render that began before the last clear() may predate the award: never keep it.
        if self._ttl > 0 and generation == self._generation:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self._ttl, body)
        return body

    def _finish(self, key: Hashable, done: asyncio.Future[bytes]) -> None:
        if self._rendering.get(key) is done:
            del self._rendering[key]

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._rendering.clear()
