"""One scenario's run: its stack, the clients the suite watches it with, and the steps
every scenario shares (services ready, signals streamed, quiet awaited, invariants checked)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from nats.aio.client import Client
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools.faults import checks, observe
from devtools.faults.checks import Ledger
from devtools.faults.feed import Feeder
from devtools.faults.harness import SandboxOptions, Stack
from devtools.faults.processes import Child, Registry
from devtools.faults.report import Outcome
from shared.bus import EncodedEvent, connect
from shared.cache import create_redis
from shared.database import create_engine
from shared.streams import ensure_streams

Say = Callable[[str], None]
POLL_SECONDS = 0.25
QUIET_SECONDS = 3.0  # scoring's idle hook (boards after a flush) runs every second of quiet
OVERDUE_SECONDS = 3.0  # a card due this long and not sent: notify has not caught up


class ServiceFailed(RuntimeError):
    """A service exited or never became ready."""


class Session:
    """Start with ``async with``; everything it started is stopped on the way out."""

    def __init__(
        self,
        name: str,
        workdir: Path,
        registry: Registry,
        rules_path: Path,
        say: Say,
        database_url: str | None = None,
        sandbox: SandboxOptions | None = None,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.stack = Stack(workdir, registry, rules_path, database_url, sandbox)
        self.registry = registry
        self.say = say
        self.outcome = Outcome(name)
        self.feeder: Feeder | None = None
        self.watched: list[Child] = []  # services that must be running when the fault is over
        self._nc: Client | None = None
        self._engine: AsyncEngine | None = None
        self.sandbox = observe.Sandbox(self.stack.sandbox_url, self.stack.certs.ca)

    @property
    def nc(self) -> Client:
        assert self._nc is not None, "not started"
        return self._nc

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_engine(self.stack.database_url)
        return self._engine

    async def __aenter__(self) -> Session:
        await asyncio.to_thread(self.stack.start_infrastructure)
        self._nc = await connect(self.stack.nats_url, "faults")
        # As a service would on starting: signals may be published before scoring runs.
        await ensure_streams(self._nc.jetstream())
        self.feeder = Feeder(self._nc)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._nc is not None and self._nc.is_connected:
                await asyncio.wait_for(self._nc.close(), 5)
            await self.sandbox.close()
            if self._engine is not None:
                await self._engine.dispose()
        finally:
            stack = self.stack
            for child in (stack.ingest, stack.notify, stack.scoring, stack.sandbox):
                await asyncio.to_thread(child.stop)
            for child in (stack.redis, stack.nats):
                await asyncio.to_thread(child.stop)

    async def start_services(self) -> None:
        self.stack.start_services()
        await self.wait_ready(self.stack.scoring, self.stack.ports.scoring_health)
        await self.wait_ready(self.stack.notify, self.stack.ports.notify_status)
        self.watched = [self.stack.scoring, self.stack.notify]

    def exited(self) -> list[str]:
        """Watched services that are not running, with their exit codes."""
        return [
            f"{child.name} exited with {child.process.returncode if child.process else '?'}"
            for child in self.watched
            if not child.running()
        ]

    async def wait_ready(self, child: Child, port: int, within: float = 120.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not child.running():
                raise ServiceFailed(f"{child.name} exited:\n{child.tail()}")
            if await observe.ready(port):
                return
            await asyncio.sleep(POLL_SECONDS)
        raise ServiceFailed(f"{child.name} not ready after {within:.0f}s:\n{child.tail()}")

    async def publish(
        self, messages: Iterable[EncodedEvent], per_second: float | None = None
    ) -> None:
        assert self.feeder is not None
        await self.feeder.publish(messages, per_second)
        self.outcome.events_sent = self.feeder.sent.events

    async def until(self, condition: Callable[[], bool], within: float = 600.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("waited too long")
            await asyncio.sleep(0.01)

    async def overdue_cards(self) -> int | None:
        """Outbox rows still pending OVERDUE_SECONDS after they were stored."""
        try:
            async with self.engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT created_at FROM notify_outbox WHERE status = 'pending'")
                )
                stamps = [_utc(value) for (value,) in rows]
        except (SQLAlchemyError, OSError):
            return None
        now = datetime.now(UTC)
        return sum(1 for stamp in stamps if (now - stamp).total_seconds() > OVERDUE_SECONDS)

    async def caught_up(self, strict: bool = False) -> bool:
        """Scoring and notify have taken in everything on their streams and no card is
        overdue (``strict``: no card is waiting at all)."""
        if self.exited():
            return False
        for stream, durable in observe.CONSUMERS:
            if not (await observe.lag(self.nc, stream, durable)).zero:
                return False
        if strict:
            return await observe.outbox_unsent(self.engine) == 0
        return await self.overdue_cards() == 0

    async def watch_recovery(self, since: float, within: float = 900.0) -> float | None:
        """Seconds from ``since`` until the pipeline first caught up."""
        while time.monotonic() - since < within:
            if self.exited():
                return None
            if await self.caught_up():
                return time.monotonic() - since
            await asyncio.sleep(POLL_SECONDS)
        return None

    async def wait_quiet(self, within: float = 900.0) -> bool:
        """Until nothing is pending anywhere for QUIET_SECONDS."""
        deadline = time.monotonic() + within
        quiet_since: float | None = None
        last_report = time.monotonic()
        while time.monotonic() < deadline:
            if gone := self.exited():
                self.outcome.exited = "; ".join(gone) + " (see its log)"
                self.say(f"not quiet: {self.outcome.exited}")
                return False
            if await self.caught_up(strict=True):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= QUIET_SECONDS:
                    return True
            else:
                quiet_since = None
            if time.monotonic() - last_report > 10:
                last_report = time.monotonic()
                await self.report_lag()
            await asyncio.sleep(POLL_SECONDS)
        self.outcome.notes.append(f"never quiet within {within:.0f}s")
        return False

    async def report_lag(self) -> None:
        parts = []
        for stream, durable in observe.CONSUMERS:
            lag = await observe.lag(self.nc, stream, durable)
            parts.append(f"{durable} pending {lag.pending} unacked {lag.unacked}")
        parts.append(f"cards waiting {await observe.outbox_unsent(self.engine)}")
        self.say("waiting: " + ", ".join(parts))

    async def check(self, clean: Ledger) -> None:
        """The three invariants, against the clean run's ledger."""
        outcome = self.outcome
        run = await checks.read_ledger(self.engine)
        outcome.ledger_rows = run.rows
        outcome.ledger = checks.compare_ledgers(clean, run)
        live = create_redis(self.stack.redis_url)
        scratch = create_redis(self.stack.redis_url.removesuffix("/0") + "/1")
        try:
            outcome.boards = await checks.compare_boards(self.engine, live, scratch)
        finally:
            await live.aclose()
            await scratch.aclose()
        expected, sentences = checks.expected_cards(clean, await checks.teams_of(self.engine))
        found = checks.received_cards(await self.sandbox.posts(), sentences)
        outcome.cards = checks.match_cards(expected, found)
        outcome.notes.append(f"cards: {sum(found.values())} posted, {sum(expected.values())} due")
        if dead := await observe.dead_letters(self.nc):
            outcome.notes.append(f"{dead} messages in the dead-letter stream")
        if self.feeder is not None and self.feeder.sent.retries:
            outcome.notes.append(f"publisher retried {self.feeder.sent.retries} times")
        attempts = (await self.sandbox.state())["attempts"]
        if gone := sum(1 for a in attempts if a["status"] == 499):
            outcome.notes.append(f"{gone} post(s) abandoned by a dying sender, not recorded")

    async def timed(self, what: str, step: Callable[[], Awaitable[object]]) -> float:
        started = time.monotonic()
        await step()
        took = time.monotonic() - started
        self.say(f"{what} in {took:.1f}s")
        return took


def _utc(value: object) -> datetime:
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
