"""The composition root of scoring: settings, connections, the consumer and the commands."""

from __future__ import annotations

import asyncio
import getpass
import json
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin, privacy, privacy_streams, projection
from services.scoring.consumer import ConsumerSettings, SignalConsumer
from services.scoring.health import health_server
from services.scoring.insights import refresher as insights
from services.scoring.replicas import Roster
from services.scoring.rulebook import Rulebook, default_source
from services.scoring.scorer import Scorer
from services.scoring.store import layout, tables  # noqa: F401  (registers the tables)
from shared import subjects
from shared.bus import connect
from shared.cache import create_redis
from shared.database import create_engine, create_tables
from shared.logs import configure_logging, get_logger
from shared.settings import ScoringSettings
from shared.streams import SCORING_STREAMS, ensure_streams

log = get_logger(__name__)
T = TypeVar("T")
DEFAULT_POSTGRES_LANES = 2


@dataclass
class Resources:
    settings: ScoringSettings
    nc: Client
    js: JetStreamContext
    redis: Redis
    engine: AsyncEngine


async def _retry(what: str, attempt: Callable[[], Awaitable[T]], deadline: float) -> T:
    """Keep trying while a dependency starts up; give up at the deadline."""
    delay = 0.2
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise
            log.info("waiting for dependency", dependency=what, error=str(exc)[:200])
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


@asynccontextmanager
async def resources(settings: ScoringSettings) -> AsyncIterator[Resources]:
    deadline = time.monotonic() + settings.scoring_startup_timeout_seconds
    nc = await _retry("nats", lambda: connect(settings, "scoring"), deadline)
    redis = create_redis(settings)
    engine = create_engine(settings.database_url)
    try:
        js = nc.jetstream()
        await _retry(
            "jetstream",
            lambda: ensure_streams(js, settings.nats_stream_replicas, SCORING_STREAMS),
            deadline,
        )
        await _retry("redis", lambda: redis.ping(), deadline)
        await _retry("sql", lambda: _sql_ready(engine), deadline)
        await prepare_tables(engine)
        yield Resources(settings, nc, js, redis, engine)
    finally:
        await redis.aclose()
        await engine.dispose()
        if nc.is_connected:
            await nc.drain()


async def prepare_tables(engine: AsyncEngine) -> None:
    """Scoring tables of an earlier layout rebuilt, then whatever is missing created."""
    await layout.upgrade(engine)
    await create_tables(engine)
    await insights.prepare(engine)


async def _sql_ready(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def consumer_settings(settings: ScoringSettings) -> ConsumerSettings:
    return ConsumerSettings(
        durable=settings.scoring_durable,
        batch_size=settings.scoring_batch_size,
        batch_events=settings.scoring_batch_events,
        flush_seconds=settings.scoring_flush_seconds,
        flush_events=settings.scoring_flush_events,
        max_deliver=settings.scoring_max_deliver,
        ack_wait=settings.scoring_ack_wait_seconds,
        max_ack_pending=settings.scoring_max_ack_pending,
        fetch_timeout=settings.scoring_fetch_timeout_seconds,
    )


def build_scorer(res: Resources) -> Scorer:
    return Scorer(
        res.engine,
        res.redis,
        res.js,
        res.settings.tz,
        Rulebook(),
        announce_points=res.settings.scoring_announce_points,
        lanes=lanes_for(res.engine.dialect.name, res.settings.scoring_lanes),
        replicated=res.engine.dialect.name == "postgresql",  # replicas share PostgreSQL
    )


def lanes_for(dialect: str, wanted: int | None) -> int:
    """Concurrent ledger transactions: SQLite takes one writer at a time."""
    if dialect == "sqlite":
        if wanted not in (None, 1):
            log.warning("SCORING_LANES ignored: SQLite writes one transaction at a time")
        return 1
    return DEFAULT_POSTGRES_LANES if wanted is None else wanted


async def run(settings: ScoringSettings) -> None:
    """Consume signals until SIGINT or SIGTERM, then finish the batch in hand and stop."""
    async with resources(settings) as res:
        source = default_source(settings.scoring_rules_path)
        version = await admin.ensure_published(res.engine, res.js, source, settings.tz)
        scorer = build_scorer(res)
        # Replicas share the partitions through the database; SQLite has one replica.
        roster = Roster(res.engine) if res.engine.dialect.name == "postgresql" else None
        consumer = SignalConsumer(res.js, scorer, consumer_settings(settings), roster)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, consumer.stop)
        health = health_server(ready=lambda: res.nc.is_connected and consumer.store_up)
        if settings.scoring_health_port:
            await health.start(settings.scoring_health_port)

        async def on_rules(_: Msg) -> None:
            consumer.request_sync()

        # Between batches the consumer notices new rules anyway; this makes it prompt.
        await res.nc.subscribe(subjects.CONTROL_RULES, cb=on_rules)
        log.info("scoring started", rules_version=version)
        cube = asyncio.create_task(
            refresh_insights(
                insights.Refresher(res.engine, settings.tz),
                settings.insights_refresh_seconds,
                consumer.leads,
            )
        )
        try:
            await scorer.sync(lead=False)  # challenges wait until this replica knows its place

            async def on_idle() -> None:
                await scorer.sync(lead=consumer.leads())

            await consumer.run(on_idle=on_idle)
        finally:
            cube.cancel()
            await scorer.gate.close()
            await asyncio.gather(cube, return_exceptions=True)
            await health.stop()
            log.info("scoring stopped", processed=consumer.processed)


async def refresh_insights(
    refresher: insights.Refresher, every: float, leads: Callable[[], bool] = lambda: True
) -> None:
    """Keep the insight cube up to date: at once (the first build), then every ``every``
    seconds; a failed refresh is logged and tried again at the next. Among replicas, the
    one that ``leads`` does it; the others look again every second."""
    while True:
        if not leads():
            await asyncio.sleep(1.0)
            continue
        try:
            await refresher.refresh()
        except Exception as exc:
            log.exception("insight cube refresh failed", error=str(exc)[:200])
        await asyncio.sleep(every)


async def rebuild(settings: ScoringSettings) -> int:
    """Recompute every board from the ledger; prints progress to stderr."""
    async with resources(settings) as res:
        async with res.engine.connect() as conn:
            active = await Rulebook().current(conn)

        def progress(message: str) -> None:
            sys.stderr.write(f"rebuild: {message}\n")
            sys.stderr.flush()

        return await projection.rebuild(res.engine, res.redis, active, progress)


async def privacy_command(settings: ScoringSettings, action: str, who: str, by: str) -> str:
    """Export (JSON) or erase one person (pseudonym, Entra object id or userPrincipalName);
    an erasure also scrubs the streams when NATS answers."""
    redis = create_redis(settings)
    engine = create_engine(settings.database_url)
    try:
        await prepare_tables(engine)
        key = settings.pseudonym_key.get_secret_value()
        if action == "export":
            found = await privacy.export(engine, redis, who, key, by)
            return json.dumps(found, indent=2, sort_keys=True)
        async with privacy_streams.bus_for_erasure(settings) as js:
            erased = await privacy.erase(engine, redis, who, key, by, js)
        return json.dumps(
            {
                "pseudonym": erased.person,
                "erased": erased.counts,
                "streams_pending": erased.streams_pending,
            },
            sort_keys=True,
        )
    finally:
        await redis.aclose()
        await engine.dispose()


PRIVACY_USAGE = "usage: python -m services.scoring privacy export|erase PERSON [--by WHO]\n"


def privacy_main(settings: ScoringSettings, argv: list[str]) -> int:
    if len(argv) not in (2, 4) or argv[0] not in ("export", "erase"):
        sys.stderr.write(PRIVACY_USAGE)
        return 2
    by = argv[3] if len(argv) == 4 and argv[2] == "--by" else getpass.getuser()
    if len(argv) == 4 and argv[2] != "--by":
        sys.stderr.write(PRIVACY_USAGE)
        return 2
    sys.stdout.write(asyncio.run(privacy_command(settings, argv[0], argv[1], by)) + "\n")
    return 0


def main(argv: list[str]) -> int:
    settings = ScoringSettings()
    configure_logging("scoring", settings.log_level, settings.log_format)
    command = argv[0] if argv else "run"
    if command == "run":
        asyncio.run(run(settings))
        return 0
    if command == "rebuild":
        try:
            boards = asyncio.run(rebuild(settings))
        except KeyboardInterrupt:
            sys.stderr.write("rebuild: interrupted; live boards were not touched\n")
            return 130
        sys.stderr.write(f"rebuild: done, {boards} boards\n")
        return 0
    if command == "privacy":
        return privacy_main(settings, argv[1:])
    sys.stderr.write("usage: python -m services.scoring [run|rebuild|privacy ...]\n")
    return 2
