"""What the gateway holds open while it runs: Redis, the SQL engine, NATS, the screens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth.display import DisplayToken  # noqa: F401 - registers the table
from services.api.auth.guard import Guard
from services.api.auth.setup import auth_http, build_guard
from services.api.auth.teams import TeamsSso, build_teams_sso
from services.api.bus import BusLink
from services.api.cache import RenderedCache
from services.api.community.background import CommunityTasks
from services.api.directory import Directory
from services.api.live import Fanout, Live, is_community
from services.api.metrics import ApiMetrics
from services.api.outbox import OutboxRelay
from services.api.published import Published
from services.api.streams import StreamSlots
from services.scoring.rulebook import Rulebook
from services.scoring.store import layout
from shared.bus import connection_options
from shared.cache import create_redis
from shared.database import create_engine, create_tables
from shared.events import CloudEvent, RulesPublished
from shared.logs import get_logger
from shared.settings import ApiSettings

log = get_logger(__name__)

# Insights read weeks of signals; they change slowly, so awards do not clear them.
INSIGHTS_SECONDS = 60.0
# Each step of shutting down gets this long: one that hangs (a connection that never
# answers) is logged and left, so the gateway still stops and releases the rest.
CLOSE_STEP_SECONDS = 10.0


@dataclass
class Resources:
    settings: ApiSettings
    redis: Redis
    engine: AsyncEngine
    directory: Directory
    boards: RenderedCache
    live: Live
    bus: BusLink
    published: Published
    metrics: ApiMetrics
    guard: Guard
    rulebook: Rulebook
    forget_boards: Callable[[], None]
    insights: RenderedCache
    live_streams: StreamSlots
    # One rule replay (preview, publish, roll back) at a time per process: bounded memory.
    replays: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Publishes what write endpoints announce (services/api/outbox.py).
    outbox: OutboxRelay | None = None
    # Teams single sign-on (services/api/auth/teams.py); None without browser sign-in.
    teams_sso: TeamsSso | None = None


@asynccontextmanager
async def open_resources(
    settings: ApiSettings, metrics: ApiMetrics, on_change: Callable[[], None] = lambda: None
) -> AsyncIterator[Resources]:
    redis = create_redis(settings)
    engine = create_engine(settings.database_url)
    try:
        await create_tables(engine)
        await layout.grow(engine)  # columns added since: the directory's job function
    except SQLAlchemyError as exc:  # scoring and notify make them too: serve without
        log.warning("tables not created", error=str(exc))
    directory = Directory(engine, settings.api_directory_ttl_seconds, settings.min_group_size)
    boards = RenderedCache(settings.api_board_cache_seconds)

    def boards_changed() -> None:
        boards.clear()
        on_change()

    live = Live(Fanout(), settings.min_group_size, on_boards_changed=boards_changed)

    published = Published(engine)

    async def on_event(event: CloudEvent[Any]) -> None:
        if isinstance(event.data, RulesPublished):
            published.invalidate()
            live.rules_changed()
            return
        if is_community(event):
            live.community(event, await directory.snapshot())
            return
        metrics.awards.labels(event.type.removeprefix("awards.")).inc()
        live.award(event, await directory.snapshot())

    bus = BusLink(
        settings.nats_url,
        on_event,
        replicas=settings.nats_stream_replicas,
        options=connection_options(settings),
    )
    bus.start()
    outbox = OutboxRelay(engine, lambda: bus.client)
    outbox.start()
    # Loads the use-case library, then confirms "I tried this" in the background.
    community = CommunityTasks(engine, settings)
    await community.start()
    http = auth_http(settings)
    guard = build_guard(settings, engine, http, redis)
    try:
        yield Resources(
            settings,
            redis,
            engine,
            directory,
            boards,
            live,
            bus,
            published,
            metrics,
            guard,
            Rulebook(),
            boards_changed,
            RenderedCache(INSIGHTS_SECONDS),
            StreamSlots(settings.api_live_max_streams),
            outbox=outbox,
            teams_sso=build_teams_sso(settings, http),
        )
    finally:
        await _close_step("community tasks", community.close())
        await _close_step("outbox relay", outbox.close())
        live.close()
        if guard.signin is not None:
            guard.signin.close()
        await _close_step("key client", http.aclose())
        await _close_step("nats", bus.close())
        await _close_step("redis", redis.aclose())
        await _close_step("database", engine.dispose())


async def _close_step(name: str, closing: Awaitable[None]) -> None:
    try:
        async with asyncio.timeout(CLOSE_STEP_SECONDS):
            await closing
    except TimeoutError:
        log.warning("shutdown step did not finish", step=name, seconds=CLOSE_STEP_SECONDS)
