"""A short-lived cache of rendered boards: many screens ask for the same board.

Entries live for ``ttl`` seconds and are dropped as soon as an award arrives,
so a screen never shows a board older than the last award it was told about.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable


class RenderedCache:
    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[Hashable, tuple[float, bytes]] = {}

    async def get(self, key: Hashable, render: Callable[[], Awaitable[bytes]]) -> bytes:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        body = await render()
        if self._ttl > 0:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (now + self._ttl, body)
        return body

    def clear(self) -> None:
        self._entries.clear()
