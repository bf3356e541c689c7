"""Tables of the earlier layout (event-id and surrogate keys) upgraded with their rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.domain.model import Signal
from services.scoring.store import layout, ledger
from shared.database import create_engine, create_tables
from shared.events import ActivityKind, App

OLD = MetaData()
Table(
    "scoring_signal",
    OLD,
    Column("event_id", String(64), primary_key=True),
    Column("person", String(64), nullable=False),
    Column("app", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("source", String(32), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_scoring_signal_person_day", "person", "day"),
)
Table(
    "scoring_ledger",
    OLD,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("ruleset_version", Integer, nullable=False),
    Column("person", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("points", Integer, nullable=False),
    Column("event_id", String(64)),
    Column("app", String(32)),
    Column("ref", String(100)),
    Column("title", String(200)),
    Column("note", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_scoring_ledger_version_person", "ruleset_version", "person", "day"),
)

DAY = date(2026, 11, 2)
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
async def old_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A database whose scoring tables have the earlier layout, with rows in them."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(OLD.create_all)
        signals, entries = OLD.tables["scoring_signal"], OLD.tables["scoring_ledger"]
        await conn.execute(
            signals.insert(),
            [
                {
                    "event_id": f"e-{n}",
                    "person": f"p-{n % 3}",
                    "app": "word",
                    "kind": "prompt",
                    "day": DAY,
                    "at": AT,
                    "source": "interactions",
                    "received_at": AT,
                }
                for n in range(30)
            ],
        )
        await conn.execute(
            entries.insert(),
            [
                {
                    "key": f"points.prompt|1|e-{n}",
                    "kind": "points",
                    "rule": "points.prompt",
                    "ruleset_version": 1,
                    "person": f"p-{n % 3}",
                    "day": DAY,
                    "at": AT,
                    "points": 10,
                    "event_id": f"e-{n}",
                    "app": "word",
                    "note": "10 for prompt in word",
                    "created_at": AT,
                }
                for n in range(30)
            ],
        )
    yield engine
    await engine.dispose()


async def _rows(engine: AsyncEngine, sql: str) -> list[tuple[object, ...]]:
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(sql))]


async def _keys(engine: AsyncEngine) -> dict[str, list[str]]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {
                name: inspect(sync).get_pk_constraint(name)["constrained_columns"]
                for name in ("scoring_signal", "scoring_ledger")
            }
        )


async def test_old_tables_are_rebuilt_keyed_by_person_with_every_row(
    old_engine: AsyncEngine,
) -> None:
    signals_sql = "SELECT event_id, person, app, kind, day, source FROM scoring_signal"
    ledger_sql = "SELECT key, person, points, event_id, note FROM scoring_ledger"
    signals_before = sorted(await _rows(old_engine, signals_sql))
    ledger_before = sorted(await _rows(old_engine, ledger_sql))

    assert await layout.upgrade(old_engine) == ["scoring_signal", "scoring_ledger"]
    await create_tables(old_engine)  # what the service does next: nothing left to make

    assert await _keys(old_engine) == {
        "scoring_signal": ["person", "event_id"],
        "scoring_ledger": ["person", "key"],
    }
    assert sorted(await _rows(old_engine, signals_sql)) == signals_before
    assert sorted(await _rows(old_engine, ledger_sql)) == ledger_before
    assert await layout.upgrade(old_engine) == []  # once is enough

    # The upgraded tables take the bulk statements: a stored event is not new again.
    again = Signal("e-4", "p-1", App.WORD, ActivityKind.PROMPT, DAY, AT)
    fresh = Signal("e-99", "p-1", App.WORD, ActivityKind.PROMPT, DAY, AT)
    async with old_engine.begin() as conn:
        assert await ledger.insert_signals(conn, [again, fresh], {}) == {"e-99"}
        states = await ledger.load_states(conn, 1, ["p-1"])
    assert states["p-1"].paid_by_day == {DAY: 100}
    if old_engine.dialect.name == "sqlite":
        tables = await _rows(
            old_engine,
            "SELECT sql FROM sqlite_master WHERE name IN ('scoring_signal', 'scoring_ledger')",
        )
        assert all("WITHOUT ROWID" in str(sql) for (sql,) in tables)
        indexes = await _rows(
            old_engine,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('scoring_signal', 'scoring_ledger')",
        )
        assert indexes == []  # the old secondary indexes went with the old tables


async def test_a_new_database_needs_no_upgrade(engine: AsyncEngine) -> None:
    assert await layout.upgrade(engine) == []
    assert await _keys(engine) == {
        "scoring_signal": ["person", "event_id"],
        "scoring_ledger": ["person", "key"],
    }
