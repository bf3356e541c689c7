"""Scoring scrubs the streams of erased people, as the only service allowed to rewrite them.

An erasure over HTTP lists the person and leaves the streams to scoring (the
gateway's NATS user may not delete stream messages); ``privacy
erase`` runs as scoring and scrubs at once. Either way :func:`scrub_owed` reads
every message of the personal streams (SIGNALS, AWARDS, COMMUNITY and DLQ:
``shared.stream_scrub.PERSONAL_STREAMS``) and takes out the events of every listed
key (not only the new ones: a key listed earlier cannot come back through a
batch rewritten for another). In COMMUNITY a kudos names its giver and receiver, a
story its author (when named), a tip its sender, an event its host and a champion
change its champion: each such announcement goes whole. The keys owed a scrub when
it began are then marked scrubbed, unless another one was asked for meanwhile.

:class:`StreamScrubber` runs it in the background from the consumer's idle
moments, so that a long scan never holds up scoring.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import suppression
from shared.bus import connect
from shared.logs import get_logger
from shared.settings import CommonSettings
from shared.stream_scrub import Scrubbed, scrub_streams

log = get_logger(__name__)


async def scrub_owed(engine: AsyncEngine, js: JetStreamContext) -> Scrubbed:
    """Scrub the streams if any listed key is owed a scrub; what was taken out."""
    async with engine.connect() as conn:
        owed = await suppression.unscrubbed(conn)
        erased = await suppression.everyone(conn) if owed else set()
    if not owed:
        return Scrubbed()
    done = await scrub_streams(js, erased)
    async with engine.begin() as conn:
        await suppression.scrubbed(conn, owed)
    log.info("streams scrubbed of erased people", keys=len(owed), **done.as_counts())
    return done


class StreamScrubber:
    def __init__(self, engine: AsyncEngine, js: JetStreamContext) -> None:
        self.engine = engine
        self.js = js
        self._task: asyncio.Task[Scrubbed] | None = None

    async def tick(self) -> None:
        """Start a scrub when one is owed and none is running (cheap when none is)."""
        if self._task is not None:
            if not self._task.done():
                return
            self._report(self._task)
            self._task = None
        async with self.engine.connect() as conn:
            if not await suppression.unscrubbed(conn):
                return
        self._task = asyncio.create_task(scrub_owed(self.engine, self.js), name="scrub-streams")

    async def wait(self) -> None:
        """Let the running scrub finish (the consumer stops, or a test wants it done)."""
        if self._task is None:
            return
        with contextlib.suppress(Exception):
            await self._task
        self._report(self._task)
        self._task = None

    def cancel(self) -> None:
        """Stop a running scrub (the service stops); it is owed still, so it runs again."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    @staticmethod
    def _report(task: asyncio.Task[Scrubbed]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:  # owed still: the next idle moment tries again
            log.warning("scrubbing the streams failed, will retry", error=str(error)[:300])


BUS_TIMEOUT = 10.0


@contextlib.asynccontextmanager
async def bus_for_erasure(settings: CommonSettings) -> AsyncIterator[JetStreamContext | None]:
    """JetStream for ``privacy erase``, or None when NATS does not answer: the erasure
    goes ahead and scoring scrubs the streams when it is next idle."""
    try:
        nc = await asyncio.wait_for(connect(settings, "scoring-privacy"), BUS_TIMEOUT)
    except (TimeoutError, OSError, NatsError) as exc:
        log.warning("NATS not reachable: the streams are left to scoring", error=repr(exc))
        yield None
        return
    try:
        yield nc.jetstream()
    finally:
        with contextlib.suppress(NatsError):
            await nc.drain()
