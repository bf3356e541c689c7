"""A running gateway over the session's real Redis, NATS and a fresh SQL database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from nats.aio.client import Client
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from devtools.servers import free_port
from services.api.app import create_app
from services.api.resources import Resources
from shared.leaderboards import Scope, board_key, encode_score
from shared.people import Person
from shared.periods import Window
from shared.settings import ApiSettings
from tests.integration.api.tenant import AUDIENCE, ISSUER, Tenant, running_tenant

MOMENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
async def tenant() -> AsyncIterator[Tenant]:
    async with running_tenant() as running:
        yield running


@pytest.fixture
def api_settings(
    redis_url: str,
    nats_url: str,
    database_url: str,
    engine: AsyncEngine,
    tenant: Tenant,
) -> ApiSettings:
    # No ``nc`` here: only tests that publish ask for fresh streams (recreating
    # streams costs nats-server a store each time); the gateway ensures them itself.
    return ApiSettings(
        environment="test",
        redis_url=redis_url,
        nats_url=nats_url,
        database_url=database_url,
        api_board_cache_seconds=0,
        api_directory_ttl_seconds=0,
        api_auth_issuer=ISSUER,
        api_auth_audience=AUDIENCE,
        api_auth_jwks_uri=tenant.jwks_uri,
        # ingest's status as this test's ingest would write it: none until a test does
        ingest_status_bucket=f"status_{uuid.uuid4().hex[:12]}",
    )


@pytest.fixture
async def app(api_settings: ApiSettings, redis: Redis) -> AsyncIterator[FastAPI]:
    application = create_app(api_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http


async def wait_for_bus(app: FastAPI) -> None:
    resources: Resources = app.state.resources
    async with asyncio.timeout(10):
        while not resources.bus.following:
            await asyncio.sleep(0.05)


@dataclass
class LiveServer:
    url: str
    app: FastAPI


@pytest.fixture
async def live_server(
    api_settings: ApiSettings, redis: Redis, nc: Client
) -> AsyncIterator[LiveServer]:
    """The gateway on a real socket (streams need one) in this event loop.

    It asks for ``nc`` so the streams are fresh before the gateway follows them.
    """
    application = create_app(api_settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(15):
        while not server.started:
            await asyncio.sleep(0.02)
    await wait_for_bus(application)
    yield LiveServer(f"http://127.0.0.1:{port}", application)
    server.should_exit = True
    await task


async def add_people(engine: AsyncEngine, people: Iterable[Person]) -> None:
    async with AsyncSession(engine) as session:
        for person in people:
            session.add(person)
        await session.commit()


def team_of(name: str, size: int, *, department: str = "Sales", opted: int = 0) -> list[Person]:
    return [
        Person(
            person=f"p-{name.lower()}-{i}",
            display_name=f"{name} Member {i}",
            team=name,
            department=department,
            opted_in=i < opted,
        )
        for i in range(size)
    ]


async def put_scores(
    redis: Redis, scope: Scope, window: Window, period: str, scores: Mapping[str, float]
) -> None:
    key = board_key(scope, window, period)
    await redis.zadd(key, {member: encode_score(v, MOMENT) for member, v in scores.items()})
