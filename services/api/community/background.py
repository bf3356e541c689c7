"""The community's work in the background of the gateway: the use-case library is loaded
on start, and open "I tried this" tries are confirmed every ``API_USECASE_SWEEP_SECONDS``.

A sweep looks at a bounded number of people and use cases per round
(:data:`PAIRS_PER_ROUND`), each in its own short transaction, and goes on from where the
last round stopped; stopping the gateway cancels it between two transactions or within
one, which then rolls back.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import library, tries
from shared.languages import Language
from shared.logs import get_logger
from shared.periods import today
from shared.settings import ApiSettings

log = get_logger(__name__)

PAIRS_PER_ROUND = 2000
PAGE = 200


class TrySweep:
    """Walks the open tries a page at a time, resuming after the last pair it saw."""

    def __init__(self, engine: AsyncEngine, language: Language = "nl") -> None:
        self._engine = engine
        self._language = language
        self._after: tries.Pair | None = None

    async def round(self, day: date, budget: int = PAIRS_PER_ROUND) -> int:
        """Look at up to ``budget`` pairs as of ``day``; returns how many were confirmed."""
        confirmed = 0
        while budget > 0:
            async with AsyncSession(self._engine) as session:
                pairs = await tries.open_pairs(
                    session, today=day, after=self._after, limit=min(PAGE, budget)
                )
            if not pairs:
                self._after = None  # the end: the next round starts from the beginning
                break
            confirmed += await tries.confirm(self._engine, pairs, day, self._language)
            self._after = pairs[-1]
            budget -= len(pairs)
        return confirmed


class CommunityTasks:
    def __init__(self, engine: AsyncEngine, settings: ApiSettings) -> None:
        self._engine = engine
        self._settings = settings
        self._sweep = TrySweep(engine, settings.api_default_lang)
        self._task: asyncio.Task[None] | None = None
        self.seeded = False

    async def seed(self) -> None:
        try:
            added = await library.seed(self._engine)
        except SQLAlchemyError as exc:  # tables not there yet: the loop tries again
            log.warning("use-case library not loaded", error=str(exc)[:300])
            return
        self.seeded = True
        if added:
            log.info("use-case library loaded", added=added)

    async def start(self) -> None:
        await self.seed()
        self._task = asyncio.create_task(self._run(), name="api-community-sweep")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._settings.api_usecase_sweep_seconds)
            try:
                if not self.seeded:
                    await self.seed()
                confirmed = await self._sweep.round(today(self._settings.tz))
                if confirmed:
                    log.info("tries confirmed", confirmed=confirmed)
            except Exception as exc:  # the database away: the next round tries again
                log.warning("tries not swept", error=str(exc)[:300])
