"""The bulk statements of the ledger store, on each database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.domain.model import Signal
from services.scoring.store import ledger
from shared.events import ActivityKind, App


def signal(event_id: str, person: str = "p-1") -> Signal:
    day = date(2026, 11, 2)
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    return Signal(event_id, person, App.WORD, ActivityKind.PROMPT, day, at)


async def test_new_signals_are_stored_once_and_said_to_be_new(engine: AsyncEngine) -> None:
    first = [signal(f"e-{n}") for n in range(5)]
    async with engine.begin() as conn:
        assert await ledger.insert_signals(conn, first, {}) == {f"e-{n}" for n in range(5)}
    again = [signal("e-1"), signal("e-9"), signal("e-9")]  # a repeat, and twice in one batch
    async with engine.begin() as conn:
        assert await ledger.insert_signals(conn, again, {}) == {"e-9"}
        stored = (await conn.execute(text("SELECT count(*) FROM scoring_signal"))).scalar_one()
    assert stored == 6


async def test_a_value_too_long_is_never_stored_cut_short(engine: AsyncEngine) -> None:
    """PostgreSQL refuses it (the column is varchar(64)); SQLite keeps it whole."""
    long_id = "e-" + "x" * 80
    if engine.dialect.name == "postgresql":
        # The bulk statements go to asyncpg itself, so its own error comes through.
        with pytest.raises(asyncpg.exceptions.DataError, match="too long"):
            async with engine.begin() as conn:
                await ledger.insert_signals(conn, [signal(long_id)], {})
        return
    async with engine.begin() as conn:
        assert await ledger.insert_signals(conn, [signal(long_id)], {}) == {long_id}
