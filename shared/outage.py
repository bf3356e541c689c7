"""Waiting out a store that cannot be reached, with JetStream messages held in hand.

A consumer that meets an unreachable database keeps the messages it holds rather than
nak them: nak'ed, they would come back a few times and then go to the dead letters,
for no fault of theirs. Held, they get a progress acknowledgement well within
``ack_wait``, so JetStream neither redelivers them nor counts a delivery, and the outage
may last as long as it lasts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence

from nats.aio.msg import Msg

FIRST_WAIT_SECONDS = 0.25
LONGEST_WAIT_SECONDS = 5.0


async def wait_out(
    attempt: Callable[[], Awaitable[object]],
    held: Sequence[Msg],
    stop: asyncio.Event,
    ack_wait: float,
    still_down: Callable[[BaseException], bool],
) -> float | None:
    """Retry ``attempt`` with backoff until it succeeds, keeping ``held`` from redelivery.

    With nothing held, ``ack_wait`` may be ``math.inf``. Returns the seconds waited, or
    None when ``stop`` was set first (the held messages then come back after
    ``ack_wait``). An error for which ``still_down`` is False is raised: the store
    answers, and refuses.
    """
    started = touched = time.monotonic()
    longest = min(LONGEST_WAIT_SECONDS, ack_wait / 3)
    delay = min(FIRST_WAIT_SECONDS, longest)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            break
        if time.monotonic() - touched >= ack_wait / 3:
            touched = time.monotonic()
            for msg in held:
                with contextlib.suppress(Exception):  # NATS may be away too: redelivery then
                    await msg.in_progress()
        try:
            await attempt()
        except Exception as exc:
            if not still_down(exc):
                raise
            delay = min(delay * 2, longest)
            continue
        return time.monotonic() - started
    return None
