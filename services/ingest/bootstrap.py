"""The composition root of ingest: settings -> token, Graph, state, bus, status."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.errors import NoServersError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.auth import AuthError, TokenProvider
from services.ingest.batching import MAX_BATCH
from services.ingest.cycle import CycleOutcome, run_cycle
from services.ingest.graph import GraphClient, GraphError, GraphUnavailable
from services.ingest.health import health_server
from services.ingest.publisher import Publisher
from services.ingest.retry import Backoff
from services.ingest.state import IngestState
from services.ingest.status import IngestStatus, StatusBoard
from shared.bus import PublishFailed, connect, shown_url
from shared.database import create_engine
from shared.logs import get_logger
from shared.settings import IngestSettings
from shared.streams import INGEST_STREAMS, ensure_streams
from shared.trust import ConfigurationError, TrustStore

log = get_logger(__name__)


@dataclass
class Ingest:
    settings: IngestSettings
    tokens: TokenProvider
    graph: GraphClient
    state: IngestState
    publisher: Publisher
    board: StatusBoard
    nc: Client
    engine: AsyncEngine
    # people per Graph JSON batch for interaction history (1: one request per person)
    interaction_batch_size: int = MAX_BATCH


class Unreachable(Exception):
    """The bus or the database is not there (yet)."""


BUS_CONNECT_TIMEOUT = 15.0


async def connect_bus(settings: IngestSettings) -> Client:
    """Connect, or give up after a while: the caller decides whether to wait and retry."""
    try:
        return await asyncio.wait_for(connect(settings, "uptake-ingest"), BUS_CONNECT_TIMEOUT)
    except (TimeoutError, NoServersError, OSError, nats.errors.Error) as exc:
        raise Unreachable(
            f"NATS at {shown_url(settings.nats_url)} is not reachable: {exc!r}"
        ) from None


def graph_for(settings: IngestSettings) -> tuple[TokenProvider, GraphClient]:
    """Tokens and a Graph client from the settings (the caller closes both)."""
    graph_settings = settings.graph
    trust = TrustStore(graph_settings.ca_bundle)
    tokens = TokenProvider(graph_settings, trust)
    graph = GraphClient(
        graph_settings.base_url,
        tokens,
        verify=trust.ssl_context(),
        timeout=graph_settings.timeout_seconds,
        backoff=Backoff(
            graph_settings.backoff_base_seconds,
            graph_settings.backoff_max_seconds,
            graph_settings.max_attempts,
        ),
        max_connections=max(4, settings.ingest_interaction_concurrency),
    )
    return tokens, graph


@contextlib.asynccontextmanager
async def assemble(
    settings: IngestSettings,
    status: IngestStatus | None = None,
    *,
    interaction_batch_size: int | None = None,
) -> AsyncIterator[Ingest]:
    """Connections and state for ingest; ``interaction_batch_size`` overrides the setting."""
    tokens, graph = graph_for(settings)
    try:
        nc = await connect_bus(settings)
    except Unreachable:
        await graph.aclose()
        tokens.close()
        raise
    engine = create_engine(settings.database_url)
    try:
        js = nc.jetstream()
        try:
            await ensure_streams(js, settings.nats_stream_replicas, INGEST_STREAMS)
        except (TimeoutError, nats.errors.Error) as exc:
            raise Unreachable(
                f"JetStream at {shown_url(settings.nats_url)} is not available: {exc!r}"
            ) from None
        state = IngestState(engine, settings.pseudonym_key.get_secret_value())
        try:
            await state.create()
        except (OSError, SQLAlchemyError) as exc:
            raise Unreachable(f"the database is not reachable: {exc}") from None
        yield Ingest(
            settings=settings,
            tokens=tokens,
            graph=graph,
            state=state,
            publisher=Publisher(nc, in_flight=settings.ingest_publish_in_flight),
            board=StatusBoard(
                settings.ingest_status_path, js, settings.ingest_status_bucket, status
            ),
            nc=nc,
            engine=engine,
            interaction_batch_size=interaction_batch_size or settings.ingest_interaction_batch_size,
        )
    finally:
        await graph.aclose()
        tokens.close()
        await engine.dispose()
        with contextlib.suppress(Exception):
            await nc.drain()


CLEAR_FAILURES = (
    AuthError,
    ConfigurationError,
    GraphError,
    GraphUnavailable,
    PublishFailed,
    Unreachable,
)


async def run_once(settings: IngestSettings) -> CycleOutcome:
    """One full cycle; raises one of ``CLEAR_FAILURES`` with an operator-readable message."""
    async with assemble(settings) as ingest:
        try:
            return await run_cycle(ingest)
        except CLEAR_FAILURES as exc:
            await _record_failure(ingest, exc)
            raise


async def _record_failure(ingest: Ingest, exc: Exception) -> None:
    status = ingest.board.status
    status.state, status.last_error = "failed", str(exc)
    with contextlib.suppress(Exception):
        await ingest.board.save()


async def run_forever(settings: IngestSettings, stop: asyncio.Event) -> None:
    """Cycles every ``INGEST_INTERVAL_SECONDS``, the first at once, until ``stop`` is set.

    A bus or Graph that is not reachable yet, or a failed cycle, is retried with
    backoff; the service keeps running and says why in the log, the status and
    ``/readyz``.
    """
    backoff = Backoff(base=2.0, cap=min(300.0, settings.ingest_interval_seconds), attempts=0)
    status = IngestStatus()
    failures = 0
    async with health_server(settings.ingest_health_host, settings.ingest_health_port, status):
        while not stop.is_set():
            try:
                async with assemble(settings, status) as ingest:
                    failures = 0
                    while not stop.is_set():
                        try:
                            await run_cycle(ingest)
                            wait = settings.ingest_interval_seconds
                            failures = 0
                        except CLEAR_FAILURES as exc:
                            failures += 1
                            await _record_failure(ingest, exc)
                            wait = backoff.delay(failures)
                            log.error(
                                "ingest cycle failed", error=str(exc), retry_in=round(wait, 1)
                            )
                        await _wait(stop, wait)
            except (Unreachable, OSError) as exc:
                failures += 1
                wait = backoff.delay(failures)
                status.ready, status.state, status.last_error = False, "waiting", str(exc)
                log.warning(
                    "ingest waiting for its dependencies", error=str(exc), retry_in=round(wait, 1)
                )
                await _wait(stop, wait)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
