"""Many kudos at once fold into one card per channel and fold window, as award cards do,
and apart from them: whatever the pattern in which they arrive, each kudos is told once,
alone or in exactly one digest."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify import models  # noqa: F401  # registers the notify tables
from services.notify.channels import Channel
from services.notify.community_facts import KudosBurstFacts, KudosFacts
from services.notify.community_intake import take_community
from services.notify.delivery import Delivery
from services.notify.dispatcher import Dispatcher, Policy
from services.notify.facts import BurstFacts, Facts
from services.notify.intake import take
from services.notify.politeness import QuietHours
from shared.database import create_engine, create_tables, session_factory
from shared.events import BadgeAwarded, CloudEvent, KudosGiven

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
COMPANY = Channel(name="company", type="teams", url=SecretStr("https://x.example/a?sig=s"))
WINDOW = 300.0


def kudos(n: int, value: str = "helpful") -> CloudEvent[Any]:
    payload = KudosGiven(
        kudos=f"k-{n}",
        giver=f"p-giver-{n % 3}",
        receiver=f"p-receiver-{n}",
        value=value,
        date=date(2026, 11, 25),
    )
    return CloudEvent.wrap(payload, source="uptake/api")


def badge(n: int) -> CloudEvent[Any]:
    payload = BadgeAwarded(
        person=f"p-receiver-{n}",
        rule="badge.explorer",
        ruleset_version=1,
        activity_date=date(2026, 11, 25),
        ledger_key=f"explorer:{n}",
        badge="explorer",
        title="Explorer",
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")


@dataclass
class Recorder:
    clock: list[datetime]
    alone: list[Facts] = field(default_factory=list)
    digests: list[tuple[datetime, Facts]] = field(default_factory=list)

    def ready(self, channel: Channel) -> bool:
        return True

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery:
        if isinstance(facts, KudosBurstFacts | BurstFacts):
            self.digests.append((self.clock[0], facts))
        else:
            self.alone.append(facts)
        return Delivery("sent")


@dataclass(frozen=True)
class Batch:
    gap: float  # seconds since the previous batch
    size: int
    rounds: list[float]  # dispatcher rounds after it, seconds apart


async def run(engine: AsyncEngine, batches: list[Batch], threshold: int) -> Recorder:
    sessions = session_factory(engine)
    clock = [START]
    recorder = Recorder(clock)
    policy = Policy(
        quiet=QuietHours(BRUSSELS, time(0), time(0), weekends=False),
        burst_threshold=threshold,
        fold_seconds=WINDOW,
    )
    dispatcher = Dispatcher(sessions, [COMPANY], {"teams": recorder}, policy, lambda: clock[0])
    n = 0
    for batch in batches:
        clock[0] += timedelta(seconds=batch.gap)
        events = [kudos(n + i) for i in range(batch.size)]
        n += batch.size
        async with sessions() as session:
            await take_community(session, events, [COMPANY], timedelta(0), BRUSSELS, clock[0])
            await session.commit()
        for gap in batch.rounds:
            clock[0] += timedelta(seconds=gap)
            await dispatcher.tick()
    for _ in range(3):  # then long enough for every window to close
        clock[0] += timedelta(seconds=WINDOW + 1)
        await dispatcher.tick()
    return recorder


batches = st.lists(
    st.builds(
        Batch,
        gap=st.floats(0, 600, allow_nan=False),
        size=st.integers(0, 15),
        rounds=st.lists(st.floats(0, 120, allow_nan=False), max_size=3),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=batches, threshold=st.integers(0, 8))
async def test_every_kudos_is_told_once_and_digests_are_a_window_apart(
    tmp_path: Path, batches: list[Batch], threshold: int
) -> None:
    note(repr(batches))
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    try:
        await create_tables(engine)
        recorder = await run(engine, batches, threshold)
    finally:
        await engine.dispose()
    total = sum(batch.size for batch in batches)
    alone = [f for f in recorder.alone if isinstance(f, KudosFacts)]
    assert len(alone) == len(recorder.alone) == len({f.kudos for f in alone})
    folded = sum(f.total for _, f in recorder.digests if isinstance(f, KudosBurstFacts))
    assert len(alone) + folded == total
    moments = [when for when, _ in recorder.digests]
    assert all(b - a >= timedelta(seconds=WINDOW) for a, b in itertools.pairwise(moments))


async def test_a_burst_of_kudos_is_one_card_apart_from_the_award_digest(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    sessions = session_factory(engine)
    clock = [START]
    recorder = Recorder(clock)
    policy = Policy(
        quiet=QuietHours(BRUSSELS, time(0), time(0), weekends=False),
        burst_threshold=8,
        fold_seconds=WINDOW,
    )
    dispatcher = Dispatcher(sessions, [COMPANY], {"teams": recorder}, policy, lambda: clock[0])
    try:
        await create_tables(engine)
        async with sessions() as session:
            values = ["helpful"] * 12 + ["creative"] * 8
            events = [kudos(n, value) for n, value in enumerate(values)]
            await take_community(session, events, [COMPANY], timedelta(0), BRUSSELS, START)
            await take(session, [badge(n) for n in range(10)], [COMPANY], timedelta(0), START)
            await session.commit()
        await dispatcher.tick()
        clock[0] += timedelta(seconds=WINDOW + 1)
        await dispatcher.tick()
    finally:
        await engine.dispose()
    assert recorder.alone == []
    kinds = sorted((f.kind, getattr(f, "total", 0)) for _, f in recorder.digests)
    assert kinds == [("burst", 10), ("kudos_burst", 20)]
    [folded] = [f for _, f in recorder.digests if isinstance(f, KudosBurstFacts)]
    assert [(v.label, v.count) for v in folded.values] == [("helpful", 12), ("creative", 8)]
    assert len(folded.pairs) == 20
