"""The clean run a scenario is compared with: the same signals scored with no fault.

The signals are put on a bus of their own (a nats-server and a Redis-compatible
server started for it) and scored in this process by scoring's own consumer and
scorer, with the scenario's rules, into a SQLite file of their own; nothing is
announced, as the ledger is all the comparison needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from devtools import servers
from devtools.faults.checks import Ledger, read_ledger
from devtools.faults.feed import Feeder
from devtools.faults.processes import Child, Registry
from devtools.faults.workload import RULES, TZ
from services.scoring import admin
from services.scoring.bootstrap import prepare_tables
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from shared.bus import EncodedEvent, connect
from shared.cache import create_redis
from shared.database import create_engine
from shared.streams import ensure_streams


class ReferenceBus:
    """A nats-server and a Redis-compatible server for one clean run, under ``workdir``."""

    def __init__(self, workdir: Path, registry: Registry) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.nats_port = servers.free_port()
        self.redis_port = servers.free_port()
        (workdir / "nats").mkdir(exist_ok=True)
        (workdir / "redis").mkdir(exist_ok=True)
        self.nats = Child(
            "reference-nats",
            servers.nats_command(self.nats_port, workdir / "nats"),
            {},
            workdir / "nats.log",
            registry,
        )
        self.redis = Child(
            "reference-redis",
            servers.redis_command(self.redis_port, workdir / "redis"),
            {},
            workdir / "redis.log",
            registry,
        )

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def __enter__(self) -> ReferenceBus:
        self.nats.start()
        self.redis.start()
        servers.wait_for_port(self.nats_port)
        servers.wait_for_port(self.redis_port)
        return self

    def __exit__(self, *_: object) -> None:
        self.nats.stop()
        self.redis.stop()

    async def publish(self, messages: Iterable[EncodedEvent]) -> None:
        nc = await connect(self.nats_url, "faults-reference")
        try:
            await ensure_streams(nc.jetstream())
            await Feeder(nc).publish(messages)
        finally:
            await nc.drain()

    async def score(self) -> Ledger:
        """Score everything on the bus with scoring's consumer; the resulting ledger."""
        engine = create_engine(f"sqlite+aiosqlite:///{self.workdir / 'reference.db'}")
        redis = create_redis(f"redis://127.0.0.1:{self.redis_port}/0")
        nc = await connect(self.nats_url, "faults-reference")
        try:
            js = nc.jetstream()
            await ensure_streams(js)
            await prepare_tables(engine)
            await admin.ensure_published(engine, None, RULES, TZ)
            scorer = Scorer(engine, redis, None, TZ, Rulebook(), announce_points=False)
            settings = ConsumerSettings(durable="reference", fetch_timeout=1.0)
            await SignalConsumer(js, scorer, settings).run(once=True)
            while (await js.consumer_info("SIGNALS", "reference")).num_pending:
                await SignalConsumer(js, scorer, settings).run(once=True)
            return await read_ledger(engine)
        finally:
            await nc.drain()
            await redis.aclose()
            await engine.dispose()


async def clean_ledger(
    workdir: Path, registry: Registry, messages: Iterable[EncodedEvent]
) -> Ledger:
    """The ledger of ``messages`` scored with no fault."""
    with ReferenceBus(workdir, registry) as bus:
        await bus.publish(messages)
        return await bus.score()


def run_clean(workdir: Path, registry: Registry, messages: Iterable[EncodedEvent]) -> Ledger:
    return asyncio.run(clean_ledger(workdir, registry, messages))
