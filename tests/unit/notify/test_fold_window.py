"""Whatever the pattern in which awards arrive, a channel gets at most one digest per fold
window, and every card is told exactly once: alone, or in exactly one digest."""

from __future__ import annotations

import uuid
from pathlib import Path

from hypothesis import HealthCheck, example, given, note, settings

from services.notify import models  # noqa: F401  # registers the notify tables
from shared.database import create_engine, create_tables
from tests.unit.notify.arrivals import Pattern, Step, check, patterns, run

# A backfill as scoring sends it: four batches a second apart, each more than a burst.
BACKFILL = Pattern(
    steps=[Step(gap=1.0, awards=[("badge", 0, "Finance")] * 20, rounds=[1.0]) for _ in range(4)],
    threshold=8,
    window=300.0,
    settle=3.0,
    refusals=[],
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pattern=patterns)
@example(pattern=BACKFILL)
async def test_any_arrival_pattern_gives_one_digest_per_window_and_loses_nothing(
    tmp_path: Path, pattern: Pattern
) -> None:
    note(repr(pattern))
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    try:
        await create_tables(engine)
        check(await run(engine, pattern))
    finally:
        await engine.dispose()


async def test_a_backfill_in_four_batches_is_one_digest_per_channel(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    try:
        await create_tables(engine)
        outcome = await run(engine, BACKFILL)
    finally:
        await engine.dispose()
    check(outcome)
    assert [total for _, total in outcome.got["company"].digests] == [80]
    assert [total for _, total in outcome.got["finance"].digests] == [80]
    assert outcome.got["company"].cards == outcome.got["finance"].cards == 0
