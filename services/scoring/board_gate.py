"""Turns between replicas at the boards: many add deltas, one at a time sets exact values.

A replica adds a batch's deltas to the boards after its ledger transaction has
committed. Meanwhile another replica may set exact entries from SQL (a repair
after a directory change or a redelivery, a rebuild after a rule publication):
those would already hold the committed batch, and its delta, added afterwards,
would count it twice. So a replica holds the gate *shared* from before it
stages a batch until that batch's deltas are on the boards, and *exclusively*
while it sets exact values: then no replica has a committed batch whose deltas
are still to come. A replica's own batch that needs a repair adds its deltas
first, under its shared hold, and is repaired after (exact values do not mind
what came between); a rebuild holds every committed batch, whose deltas are
then not added.

On PostgreSQL the gate is a session advisory lock on a connection of its own.
A waiting exclusive request holds back new shared ones, so a replica that keeps
the gate shared through a long backlog lets it go every ``HOLD_SECONDS``.
SQLite has one replica: the gate is open.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.logs import get_logger

log = get_logger(__name__)

LOCK = "uptake.scoring.boards"
HOLD_SECONDS = 0.5  # a shared hold longer than this is let go before the next batch


class BoardGate:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.replicated = engine.dialect.name == "postgresql"
        self._conn: AsyncConnection | None = None
        self._shared_since: float | None = None
        self._exclusive = 0

    @property
    def shared(self) -> bool:
        return self._shared_since is not None

    def held_long(self) -> bool:
        since = self._shared_since
        return since is not None and time.monotonic() - since > HOLD_SECONDS

    async def _lock(self, function: str) -> None:
        try:
            if self._conn is None:
                self._conn = await self.engine.connect()
            await self._conn.execute(text(f"SELECT {function}(hashtext(:k))"), {"k": LOCK})
            await self._conn.commit()
        except BaseException:
            # Whatever the session held went with it (or will when it is closed).
            await self.close()
            raise

    async def enter(self) -> None:
        """Hold the gate shared (no-op while held, shared or exclusively)."""
        if not self.replicated or self.shared or self._exclusive:
            return
        await self._lock("pg_advisory_lock_shared")
        self._shared_since = time.monotonic()

    async def leave(self) -> None:
        """Let a shared hold go; never raises (a lost session let it go already)."""
        if not self.shared:
            return
        self._shared_since = None
        try:
            await self._lock("pg_advisory_unlock_shared")
        except Exception as exc:
            log.warning("board gate unlock failed, reconnecting", error=str(exc)[:200])
        await self._give_back()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold the gate alone (re-entrant). A shared hold of this replica is let go first,
        so its batches' deltas must be on the boards already, or never be added."""
        if not self.replicated or self._exclusive:
            self._exclusive += 1
            try:
                yield
            finally:
                self._exclusive -= 1
            return
        await self.leave()
        await self._lock("pg_advisory_lock")
        self._exclusive = 1
        try:
            yield
        finally:
            self._exclusive = 0
            await self._unlock_exclusive()

    async def _unlock_exclusive(self) -> None:
        try:
            await self._lock("pg_advisory_unlock")
        except Exception as exc:
            # The lock went with the session: a new connection starts without it.
            log.warning("board gate unlock failed, reconnecting", error=str(exc)[:200])
        await self._give_back()

    async def _give_back(self) -> None:
        """Holding nothing, the connection goes back to the pool."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def close(self) -> None:
        """Let every hold go: the session ends (a pooled connection would keep its locks)."""
        conn, self._conn = self._conn, None
        self._shared_since = None
        if conn is not None:
            try:
                await conn.invalidate()
                await conn.close()
            except Exception as exc:
                log.debug("board gate connection closed with an error", error=str(exc)[:200])
