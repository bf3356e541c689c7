"""A sliding-window rate limit: at most ``calls`` starts in any ``period`` seconds."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingWindow:
    def __init__(self, calls: int, period: float) -> None:
        self.calls = calls
        self.period = period
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= self.period:
                    self._starts.popleft()
                if len(self._starts) < self.calls:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self.period - (now - self._starts[0]))
