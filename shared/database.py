"""The SQL engine: SQLite by default, PostgreSQL in production, both through SQLModel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}

# Prepared statements SQLite's driver keeps per connection (it keeps 128 by default).
# A bulk insert's text depends on its number of rows, and one of 2,000 rows of 8
# columns holds about 2 MB prepared: batches ending in parts of ever new lengths
# filled the cache with statements used once, 55 MB of the scoring service's peak
# memory in its benchmark. The statements used on every batch stay in a short cache.
STATEMENTS_KEPT = 16


# SQLSTATE classes of a database that cannot serve now: connection exceptions (08...) and
# operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
# now: starting up or shutting down).
UNREACHABLE_STATES = ("08", "57P")


def store_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (refused, reset, starting up,
    shutting down), as opposed to a statement it refuses: the first is waited out, never
    a message's fault."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        state = getattr(exc.orig, "sqlstate", None)
        if isinstance(state, str) and state.startswith(UNREACHABLE_STATES):
            return True
    return isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError)


def async_url(url: str) -> str:
    """Accept plain ``sqlite:///`` and ``postgresql://`` URLs and pick the async driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if parsed.drivername == backend and backend in ASYNC_DRIVERS:
        parsed = parsed.set(drivername=ASYNC_DRIVERS[backend])
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    url = async_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30, "cached_statements": STATEMENTS_KEPT},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"server_settings": POSTGRES_SETTINGS},
    )


# asyncpg prepares and caches every statement; after five runs PostgreSQL may switch
# to a generic plan and keep it. A generic plan made while a table was still small
# (a first directory sync) scans it whole for ``person = ANY($1)`` long after it
# has grown: seconds instead of milliseconds per batch. Custom plans look at the
# table as it is each time.
POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def _sqlite_pragmas(dbapi_connection: object, _: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-16384")  # KiB; resident memory, so kept modest
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Checkpoint every 32,768 pages (128 MiB of WAL) instead of 1,000: a batch's random
    # index inserts dirty thousands of pages, and each checkpoint copies them back; fewer
    # checkpoints copy a page rewritten by several batches once (a bare replay: commit
    # 25 -> 19 microseconds per signal; the scoring benchmark: about 2% faster). The file
    # is cut back to that size after a checkpoint.
    cursor.execute("PRAGMA wal_autocheckpoint=32768")
    cursor.execute("PRAGMA journal_size_limit=134217728")
    cursor.close()


CREATE_ATTEMPTS = 5


async def create_tables(engine: AsyncEngine) -> None:
    """Create every table SQLModel knows of that is missing (idempotent).

    Services start side by side and each creates what is missing: when another
    one creates a table between this one's check and its ``CREATE TABLE``, the
    statement fails (SQLite: "table ... already exists"; PostgreSQL: a duplicate
    table or type), and the next attempt finds the table there.
    """
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            async with engine.begin() as conn:
                await conn.run_sync(SQLModel.metadata.create_all)
            return
        except DBAPIError:
            if attempt == CREATE_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session
