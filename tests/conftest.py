"""Test-session infrastructure: real NATS JetStream, real Redis, SQLite and PostgreSQL.

A session starts its own ``nats-server`` and Redis-compatible server on free
ports unless ``NATS_URL`` / ``REDIS_URL`` name running ones. Each test that
asks for them gets a clean slate (streams deleted, Redis database flushed).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import APIError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools import servers
from shared.cache import create_redis
from shared.database import create_engine, create_tables
from shared.streams import ensure_streams
from tests.hangs import pytest_runtest_protocol

__all__ = ["pytest_runtest_protocol"]  # a hook: what a hanging test waits for


@pytest.fixture(scope="session")
def infra_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("infra")


@pytest.fixture(scope="session")
def nats_url(infra_dir: Path) -> Iterator[str]:
    if url := os.environ.get("NATS_URL"):
        yield url
        return
    with servers.nats_server(infra_dir) as server:
        yield server.url


@pytest.fixture(scope="session")
def redis_url(infra_dir: Path) -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    with servers.redis_server(infra_dir) as server:
        yield server.url


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    """A NATS connection whose JetStream starts empty and with the Uptake streams."""
    client = await nats.connect(nats_url)
    await fresh_streams(client.jetstream())
    yield client
    await client.drain()


async def fresh_streams(js: JetStreamContext, attempts: int = 20) -> None:
    """Delete every stream and create the Uptake streams anew.

    A stream deleted a moment ago can still be releasing its file store, and the
    server then refuses to create one of the same name ("error creating store");
    that clears within milliseconds, so creation is retried briefly.
    """
    for info in await js.streams_info():
        if info.config.name:
            await js.delete_stream(info.config.name)
    for attempt in range(attempts):
        try:
            await ensure_streams(js)
            return
        except APIError as exc:
            if "store" not in str(exc.description or "") or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))


@pytest.fixture
def js(nc: Client) -> JetStreamContext:
    return nc.jetstream()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = create_redis(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


def _database_params() -> list[str]:
    params = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append("postgresql")
    return params


@pytest.fixture(params=_database_params())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, and PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}"
        return
    import asyncpg

    base = os.environ["TEST_DATABASE_URL"]
    admin_dsn = base.replace("postgresql+asyncpg://", "postgresql://")
    name = f"uptake_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    head, _, _ = admin_dsn.rpartition("/")
    yield f"{head}/{name}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    await create_tables(eng)
    yield eng
    await eng.dispose()
