"""The composition root of notify: settings, SQL, NATS, channels, senders, the consumers of
AWARDS and COMMUNITY, dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import ssl
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
from nats.aio.client import Client
from nats.errors import Error as NatsError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify import models  # noqa: F401  # registers the notify tables
from services.notify.channels import Channel, load_channels
from services.notify.community_intake import take_community
from services.notify.consumer import AwardConsumer, CommunityConsumer, StreamConsumer, patiently
from services.notify.dispatcher import Dispatcher, Policy, Sender
from services.notify.engage import EngageSender
from services.notify.engage_auth import EngageTokens
from services.notify.intake import take
from services.notify.politeness import QuietHours
from services.notify.status import status_report, status_server
from services.notify.teams import TeamsSender
from shared import people  # noqa: F401  # the Person table names opted-in people
from shared.bus import connect
from shared.database import create_engine, create_tables, session_factory
from shared.events import CloudEvent
from shared.logs import get_logger
from shared.settings import NotifySettings
from shared.streams import NOTIFY_STREAMS, ensure_streams
from shared.trust import TrustStore

log = get_logger(__name__)


async def wait_for_sql(engine: AsyncEngine, stop: asyncio.Event) -> None:
    delay = 0.5
    while not stop.is_set():
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return
        except Exception as exc:
            log.warning("waiting for SQL", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 10.0)


async def wait_for_nats(settings: NotifySettings, stop: asyncio.Event) -> Client | None:
    """Connect, retrying until NATS answers; ``None`` when asked to stop first."""
    delay = 0.5
    while not stop.is_set():
        connecting = asyncio.create_task(connect(settings, "notify"))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await connecting
            return None
        if connecting.exception() is None:
            return connecting.result()
        log.warning("waiting for NATS", error=type(connecting.exception()).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 10.0)
    return None


def policy_from(settings: NotifySettings) -> Policy:
    return Policy(
        quiet=QuietHours.parse(
            settings.tz,
            settings.notify_quiet_start,
            settings.notify_quiet_end,
            settings.notify_quiet_weekends,
            settings.notify_holidays_country,
        ),
        daily_limit=settings.notify_daily_limit,
        burst_threshold=settings.notify_burst_threshold,
        fold_seconds=settings.notify_fold_seconds,
        max_attempts=settings.notify_max_attempts,
        digest_weekday=settings.notify_digest_weekday,
        digest_hour=settings.notify_digest_hour,
        min_group_size=settings.notify_min_group_size,
        claim_seconds=settings.notify_claim_seconds,
    )


def senders_for(
    settings: NotifySettings, http: httpx.AsyncClient, channels: Sequence[Channel]
) -> dict[str, Sender]:
    senders: dict[str, Sender] = {
        "teams": TeamsSender(http, settings.notify_teams_per_second, settings.notify_app_url)
    }
    if any(c.type == "engage" for c in channels):
        senders["engage"] = EngageSender(
            http,
            settings.engage_base_url,
            EngageTokens(settings),
            settings.engage_messages_per_window,
            settings.engage_window_seconds,
        )
    return senders


async def run(settings: NotifySettings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set; the post in flight is finished and marked before returning."""
    channels = load_channels(settings)
    log.info("channels", names=[c.name for c in channels], types=[c.type for c in channels])
    engine = create_engine(settings.database_url)
    await wait_for_sql(engine, stop)
    if stop.is_set():
        await engine.dispose()
        return
    await create_tables(engine)
    sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
    nc = await wait_for_nats(settings, stop)
    if nc is None:
        await engine.dispose()
        return
    js = nc.jetstream()
    if not await patiently(
        lambda: ensure_streams(js, settings.nats_stream_replicas, NOTIFY_STREAMS),
        stop,
        "ensure streams",
    ):
        await _close(nc)
        await engine.dispose()
        return
    wake = asyncio.Event()
    settle = timedelta(seconds=settings.notify_settle_seconds)

    async def intake(events: Sequence[CloudEvent[Any]]) -> None:
        async with sessions() as session:
            await take(session, events, channels, settle)
            await session.commit()
        wake.set()

    async def community_intake(events: Sequence[CloudEvent[Any]]) -> None:
        async with sessions() as session:
            await take_community(session, events, channels, settle, settings.tz)
            await session.commit()
        wake.set()

    options: dict[str, Any] = {
        "batch_size": settings.notify_batch_size,
        "max_deliver": settings.notify_max_deliver,
        "ack_wait": settings.notify_ack_wait_seconds,
        "max_ack_pending": settings.notify_max_ack_pending,
    }
    consumers: list[StreamConsumer] = [
        AwardConsumer(js, intake, **options),
        CommunityConsumer(js, community_intake, **options),
    ]
    async with httpx.AsyncClient(
        timeout=settings.notify_http_timeout_seconds, verify=_verify(settings)
    ) as http:
        dispatcher = Dispatcher(
            sessions, channels, senders_for(settings, http, channels), policy_from(settings)
        )

        def ready() -> bool:
            """Connected to NATS, and the database answers intake and dispatch."""
            return (
                nc.is_connected
                and dispatcher.store_up
                and all(consumer.store_up for consumer in consumers)
            )

        status = status_server(ready=ready, report=lambda: status_report(sessions))
        if settings.notify_status_port:
            await status.start(settings.notify_status_port)
        tasks = [
            *(
                asyncio.create_task(consumer.run(stop), name=consumer.source.durable)
                for consumer in consumers
            ),
            asyncio.create_task(
                dispatcher.run(stop, wake, settings.notify_poll_seconds), name="dispatcher"
            ),
        ]
        log.info("notify running")
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            # One task failing stops the other the normal way (its post in flight is marked).
            stop.set()
            await asyncio.wait(tasks)
            for task in done:
                task.result()
        finally:
            await status.stop()
            await _close(nc)
            await engine.dispose()
    log.info("notify stopped")


async def _close(nc: Client) -> None:
    """Drain, or just close when NATS is away (draining needs a live connection)."""
    try:
        await nc.drain()
    except NatsError as exc:
        log.warning("NATS connection closed without draining", error=type(exc).__name__)
        await nc.close()


def _verify(settings: NotifySettings) -> ssl.SSLContext:
    """The public CAs plus GRAPH_CA_BUNDLE (a sandbox or a TLS-inspecting proxy)."""
    return TrustStore(settings.graph.ca_bundle).ssl_context()


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
