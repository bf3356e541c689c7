"""Rule previews and publishes replay the stored signals off the event loop, a bounded number of
signals at a time, with the same result as one replay of everything."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scoring import admin
from services.scoring import replay as replaying
from services.scoring.domain.engine import score
from services.scoring.domain.model import Signal
from services.scoring.domain.rules import parse_rules
from services.scoring.store import ledger
from services.scoring.store.tables import StoredSignal
from tests.integration.scoring.conftest import RULES, TZ

DRAFT = RULES.replace(
    "per_kind: {active_day: 10, prompt: 3}", "per_kind: {active_day: 2, prompt: 9}"
)
DAY = date(2026, 11, 2)


async def store(engine: AsyncEngine, per_person: dict[str, int]) -> None:
    async with AsyncSession(engine) as session:
        for person, count in per_person.items():
            for i in range(count):
                day = DAY + timedelta(days=i % 20)
                session.add(
                    StoredSignal(
                        event_id=f"e-{person}-{i}",
                        person=person,
                        app=("word", "excel", "teams")[i % 3],
                        kind="active_day" if i % 2 else "prompt",
                        day=day,
                        at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9),
                        source="usage_report",
                    )
                )
        await session.commit()


@pytest.fixture
def scored_sizes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many signals each replay step held."""
    sizes: list[int] = []
    real = score

    def counting(rules: Any, version: int, signals: Any, *rest: Any) -> Any:
        signals = list(signals)
        sizes.append(len(signals))
        return real(rules, version, signals, *rest)

    monkeypatch.setattr("services.scoring.replay.score", counting)
    yield sizes


def blocking_replay(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Replays wait for ``release``, which only a free event loop can set."""
    started, release = threading.Event(), threading.Event()
    real = score

    def blocking(*args: Any) -> Any:
        started.set()
        if not release.wait(10):
            raise AssertionError("the event loop was blocked while the rules were replayed")
        return real(*args)

    monkeypatch.setattr("services.scoring.replay.score", blocking)
    return started, release


@pytest.mark.parametrize("action", ["preview", "publish"])
async def test_a_replay_leaves_the_event_loop_free(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    await store(engine, {"p-a": 5, "p-b": 3})
    started, release = blocking_replay(monkeypatch)
    run: Callable[[], Any] = {
        "preview": lambda: admin.preview(engine, DRAFT, TZ),
        "publish": lambda: admin.publish(engine, None, DRAFT, TZ),
    }[action]
    task = asyncio.create_task(run())
    assert await asyncio.to_thread(started.wait, 10)
    release.set()  # this line runs only while the replay leaves the loop free
    await task


async def test_a_replay_holds_a_bounded_number_of_signals_and_finds_the_same(
    engine: AsyncEngine, scored_sizes: list[int]
) -> None:
    per_person = {f"p-{i}": 3 + i for i in range(8)}  # 3 to 10 signals each
    await store(engine, per_person)

    whole = await admin.preview(engine, DRAFT, TZ, max_signals=10_000)
    assert scored_sizes == [sum(per_person.values())]
    scored_sizes.clear()
    parts = await admin.preview(engine, DRAFT, TZ, max_signals=12)

    assert len(scored_sizes) > 1 and max(scored_sizes) <= 12
    assert parts == whole


async def test_a_publish_in_parts_writes_the_ledger_one_replay_would(
    engine: AsyncEngine, scored_sizes: list[int]
) -> None:
    per_person = {f"p-{i}": 2 + 2 * i for i in range(6)}
    await store(engine, per_person)

    version = await admin.publish(engine, None, DRAFT, TZ, max_signals=7)

    assert max(scored_sizes) <= max(7, *per_person.values())
    async with engine.connect() as conn:
        signals: list[Signal] = await ledger.load_signals(conn)
        table = ledger.LEDGER
        rows = await conn.execute(
            select(table.c.key, table.c.points).where(table.c.ruleset_version == version)
        )
        written = {key: points for key, points in rows.all()}
    expected = {a.key: a.points for a in replaying.replay(signals, parse_rules(DRAFT), version, TZ)}
    assert written == expected
