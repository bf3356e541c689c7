"""The scenarios' flows: stream around a fault, ingest killed mid-run, PostgreSQL down,
a backlog drained; the clean ledgers they are compared with, computed once per workload."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from devtools.faults import observe, postgres, reference, scenarios
from devtools.faults.checks import Ledger
from devtools.faults.harness import SandboxOptions
from devtools.faults.processes import Child, Registry
from devtools.faults.report import Outcome
from devtools.faults.session import Say, Session
from devtools.faults.workload import RULES, Workload, self_check
from shared.bus import connect, is_batch

FAULT_AT = 0.35  # share of the stream published before the fault
INGEST_KILL_AT = 0.4  # share of the clean run's messages on the stream when ingest is killed
INGEST_TIMEOUT = 600.0


@dataclass(frozen=True)
class Scale:
    name: str
    stream: Workload
    stream_seconds: float
    backlog: Workload
    ingest_people: int
    postgres_down_seconds: float = 30.0


SCALES = {
    # People are few beside the signals: notify posts some 30 cards a second here and
    # every person earns about six, so more people would make the recovery time measure
    # notify's pace rather than the fault.
    "small": Scale("small", Workload(50, 3_000), 10.0, Workload(100, 20_000), 40),
    "full": Scale("full", Workload(100, 30_000), 60.0, Workload(300, 1_000_000), 150),
}


class Suite:
    """Runs scenarios under ``workdir`` (one folder each, logs included)."""

    def __init__(self, scale: Scale, workdir: Path, registry: Registry, say: Say) -> None:
        self.scale = scale
        self.workdir = workdir
        self.registry = registry
        self.say = say
        self.rules = workdir / "rules.yaml"
        self.rules.write_text(RULES)
        self._clean: dict[Workload, Ledger] = {}

    async def run(self, name: str) -> Outcome:
        flows: dict[str, Callable[[], Awaitable[Outcome]]] = {
            "ingest-kill": self.ingest_kill,
            "postgres-outage": self.postgres_outage,
            "backlog": self.backlog,
        }
        scenario = scenarios.BY_NAME[name]
        self.say(f"== {name}: {scenario.title}")
        started = time.monotonic()
        try:
            if scenario.fault is not None:
                outcome = await self.streamed(name, scenario.fault)
            else:
                outcome = await flows[name]()
        except Exception as exc:
            outcome = Outcome(name, error=f"{type(exc).__name__}: {str(exc)[:2000]}")
        self.say(f"== {name}: {outcome.verdict()} in {time.monotonic() - started:.0f}s")
        return outcome

    async def clean(self, workload: Workload) -> Ledger:
        """The ledger of ``workload`` scored with no fault (computed once)."""
        if workload not in self._clean:
            self_check(workload)
            folder = self.workdir / f"clean-{workload.people}-{workload.signals}"
            messages = itertools.chain(workload.directory(), workload.messages())
            started = time.monotonic()
            with kept_gc():
                self._clean[workload] = await reference.clean_ledger(
                    folder, self.registry, messages
                )
            took = time.monotonic() - started
            self.say(f"clean run of {workload.signals:,} signals scored in {took:.1f}s")
        return self._clean[workload]

    def session(
        self, name: str, database_url: str | None = None, sandbox: SandboxOptions | None = None
    ) -> Session:
        folder = self.workdir / name
        return Session(name, folder, self.registry, self.rules, self.say, database_url, sandbox)

    async def streamed(
        self, name: str, fault: scenarios.Fault, database_url: str | None = None
    ) -> Outcome:
        """Signals streamed for ``stream_seconds``; the fault a third of the way in."""
        workload = self.scale.stream
        clean = await self.clean(workload)
        async with self.session(name, database_url=database_url) as session:
            await session.timed("services ready", session.start_services)
            await session.publish(workload.directory())
            messages = list(workload.messages())
            rate = len(messages) / self.scale.stream_seconds
            self.say(f"streaming {workload.signals:,} signals in {len(messages)} messages")
            feeder = session.feeder
            assert feeder is not None
            fault_at = feeder.sent.messages + len(messages) * FAULT_AT
            feed = asyncio.create_task(session.publish(messages, rate))
            recovery: asyncio.Task[float | None] | None = None
            try:
                await session.until(lambda: feeder.sent.messages >= fault_at or feed.done())
                await fault(session)
                recovery = asyncio.create_task(session.watch_recovery(time.monotonic()))
                await feed
                self.say(f"stream published ({session.outcome.events_sent:,} events)")
                session.outcome.recovery_seconds = await recovery
            finally:
                for task in (feed, recovery):
                    if task is not None and not task.done():
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await task
            await session.timed("quiet", session.wait_quiet)
            await session.check(clean)
            return session.outcome

    async def ingest_kill(self) -> Outcome:
        """Ingest killed mid-run, run again; compared with a clean ingest of the same tenant."""
        data_date = (datetime.now(UTC) - timedelta(days=1)).date()
        options = SandboxOptions(people=self.scale.ingest_people, seed=11, end_date=data_date)
        async with self.session("ingest-kill", sandbox=options) as session:
            stack = session.stack
            folder = stack.workdir / "clean"
            with reference.ReferenceBus(folder, self.registry) as bus:
                env = stack.service_env(f"sqlite+aiosqlite:///{folder / 'ingest.db'}")
                env |= {"NATS_URL": bus.nats_url, "INGEST_STATUS_PATH": str(folder / "st.json")}
                clean_ingest = Child(
                    "clean-ingest", stack.ingest.command, env, folder / "ingest.log", self.registry
                )
                await session.timed("clean ingest run", lambda: finish(clean_ingest))
                clean_nc = await observe_bus(bus.nats_url)
                try:
                    total = await observe.stream_messages(clean_nc, "SIGNALS") or 0
                finally:
                    await clean_nc.close()
                with kept_gc():
                    clean = await bus.score()
            self.say(f"clean ingest: {total} messages, {clean.rows} ledger rows")
            await session.timed("services ready", session.start_services)
            stack.ingest.start()
            while stack.ingest.running():
                on_stream = await observe.stream_messages(session.nc, "SIGNALS") or 0
                if on_stream >= total * INGEST_KILL_AT:
                    break
                await asyncio.sleep(0.01)
            if stack.ingest.running():
                stack.ingest.kill()
                self.say(f"ingest killed (-9) with {on_stream} of {total} messages published")
            else:
                session.outcome.notes.append("ingest finished before it could be killed")
            await asyncio.sleep(scenarios.DOWN_SECONDS)
            ended = time.monotonic()
            await session.timed("ingest run again", lambda: finish(stack.ingest))
            session.outcome.recovery_seconds = await session.watch_recovery(ended)
            await session.timed("quiet", session.wait_quiet)
            session.outcome.events_sent = await count_events(session)
            await session.check(clean)
            return session.outcome

    async def postgres_outage(self) -> Outcome:
        why = postgres.unavailable()
        if why is not None:
            return Outcome("postgres-outage", skipped=why)
        # A folder of its own under /tmp: the postgres user cannot reach into the suite's.
        folder = Path(tempfile.mkdtemp(prefix="uptake-faults-pg-"))
        cluster = postgres.PrivateCluster(folder, self.registry)
        try:
            await asyncio.to_thread(cluster.init)
            await asyncio.to_thread(cluster.start)
            await cluster.create_database()
            self.say(f"private PostgreSQL cluster on port {cluster.port}")
            down = self.scale.postgres_down_seconds

            async def outage(session: Session) -> None:
                await asyncio.to_thread(cluster.stop)
                self.say(f"PostgreSQL stopped for {down:.0f}s")
                red = await watch_readiness(session, down)
                await asyncio.to_thread(cluster.start)
                self.say("PostgreSQL started again")
                said = [
                    f"{name} red after {red[name]:.1f}s" if name in red else f"{name} stayed ready"
                    for name in READINESS_WATCHED
                ]
                session.outcome.notes.append("readiness during the outage: " + ", ".join(said))
                # A service that cannot reach its database must say so to its orchestrator.
                session.outcome.stayed_ready = [n for n in READINESS_WATCHED if n not in red]

            return await self.streamed("postgres-outage", outage, database_url=cluster.url)
        finally:
            await asyncio.to_thread(cluster.stop)
            await asyncio.to_thread(keep_logs, folder, self.workdir / "postgres-outage")

    async def backlog(self) -> Outcome:
        """The backlog published while scoring is down, then drained."""
        workload = self.scale.backlog
        clean = await self.clean(workload)
        async with self.session("backlog") as session:
            stack = session.stack
            stack.notify.start()
            await session.wait_ready(stack.notify, stack.ports.notify_status)
            session.watched = [stack.notify]
            messages = itertools.chain(workload.directory(), workload.messages())
            published = f"backlog of {workload.signals:,} signals published"
            await session.timed(published, lambda: session.publish(messages))
            started = time.monotonic()
            stack.scoring.start()
            self.say("scoring started on the backlog")
            session.watched = [stack.notify, stack.scoring]
            drained = await until_drained(session, started)
            rate = workload.signals / drained if drained else 0
            session.outcome.notes.append(f"drained in {drained:.1f}s ({rate:,.0f} signals/s)")
            self.say(f"backlog drained in {drained:.1f}s ({rate:,.0f} signals/s)")
            session.outcome.recovery_seconds = await session.watch_recovery(started)
            await session.timed("quiet", session.wait_quiet)
            await session.check(clean)
            return session.outcome


async def finish(child: Child) -> None:
    child.start()
    code = await asyncio.to_thread(child.wait, INGEST_TIMEOUT)
    if code != 0:
        raise RuntimeError(f"{child.name} exited with {code}:\n{child.tail()}")


async def observe_bus(url: str) -> Client:
    return await connect(url, "faults-observer")


async def until_drained(session: Session, since: float, within: float = 3600.0) -> float:
    """Seconds from ``since`` until scoring acknowledged everything on SIGNALS."""
    last = time.monotonic()
    while time.monotonic() - since < within:
        if gone := session.exited():
            raise RuntimeError("; ".join(gone))
        lag = await observe.lag(session.nc, "SIGNALS", "scoring")
        if lag.zero:
            return time.monotonic() - since
        if time.monotonic() - last > 10:
            last = time.monotonic()
            session.say(f"draining: {lag.pending} messages pending, {lag.unacked} in hand")
        await asyncio.sleep(0.1)
    raise TimeoutError(f"SIGNALS not drained within {within:.0f}s")


READINESS_WATCHED = ("scoring", "notify")


async def watch_readiness(session: Session, seconds: float) -> dict[str, float]:
    """Poll /readyz of scoring and notify for ``seconds``; when each first turned red."""
    ports = {
        "scoring": session.stack.ports.scoring_health,
        "notify": session.stack.ports.notify_status,
    }
    red: dict[str, float] = {}
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for name, port in ports.items():
            if name not in red and await observe.ready(port) is not True:
                red[name] = time.monotonic() - started
        await asyncio.sleep(0.5)
    return red


async def count_events(session: Session) -> int:
    """Events on the SIGNALS stream, batch messages counted by the events they hold."""
    js = session.nc.jetstream()
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL)
    sub = await js.pull_subscribe("signals.>", stream="SIGNALS", config=config)
    events = 0
    try:
        while True:
            try:
                messages = await sub.fetch(500, timeout=1)
            except TimeoutError:
                return events
            for msg in messages:
                events += len(orjson.loads(msg.data)) if is_batch(msg) else 1
    finally:
        await sub.unsubscribe()


@contextlib.contextmanager
def kept_gc() -> Iterator[None]:
    """Scoring's consumer tunes the collector for itself; put it back afterwards."""
    thresholds = gc.get_threshold()
    try:
        yield None
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def console(start: float) -> Say:
    def say(message: str) -> None:
        sys.stdout.write(f"[{time.monotonic() - start:7.1f}s] {message}\n")
        sys.stdout.flush()

    return say


def keep_logs(folder: Path, kept: Path) -> None:
    """The cluster's logs into the scenario's folder; the cluster itself goes."""
    kept.mkdir(parents=True, exist_ok=True)
    for log in folder.glob("*.log"):
        shutil.copy(log, kept / log.name)
    shutil.rmtree(folder, ignore_errors=True)
