"""Services that start side by side create the shared tables without tripping over each other."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect

# Every service's tables, as each service creates them.
import services.notify.models
import services.scoring.store.tables  # noqa: F401
import shared.people  # noqa: F401
from shared.database import create_engine, create_tables


async def test_tables_created_by_several_services_at_once(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(4)]
    try:
        for _ in range(3):  # the race is a matter of timing: give it a few chances
            await asyncio.gather(*(create_tables(engine) for engine in engines))
        async with engines[0].connect() as conn:
            names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert {"person", "scoring_signal", "scoring_ledger"} <= names
    finally:
        for engine in engines:
            await engine.dispose()
