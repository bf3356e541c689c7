"""Live streams: a revoked screen is cut off within the re-check interval, busy or not."""

from __future__ import annotations

import asyncio

from services.api.streams import screen_events


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_revoked_screen_is_cut_off_while_messages_keep_flowing() -> None:
    """Messages every 10 s (of a test clock), more often than the 30 s re-check: the token
    is revoked after the first, and the stream must end before 30 s more have passed."""
    clock, revoked = Clock(), False
    checks: list[float] = []

    async def still_allowed() -> bool:
        checks.append(clock.now)
        return not revoked

    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for n in range(20):
        queue.put_nowait(f"message {n}".encode())
    events = screen_events(queue, {}, still_allowed, recheck_seconds=30, clock=clock)
    assert b"hello" in await anext(events)
    received = []
    async for message in events:
        received.append(message)
        if len(received) == 1:
            revoked = True
        clock.now += 10
        if len(received) == 20:
            break
    assert len(received) <= 4, f"still streaming {clock.now} s after the revocation"
    assert checks and all(b - a <= 30 for a, b in zip([0.0, *checks], checks, strict=False))
