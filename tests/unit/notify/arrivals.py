"""Awards arriving in any pattern on a real outbox and dispatcher, and what must then hold.

Shared by the unit property test (SQLite) and its integration twin (PostgreSQL):
a pattern is a sequence of intake batches with gaps between them and dispatcher
rounds in between, as a backfill, a busy morning or a trickle produces; the
channel answers some posts with "retry later".
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify.channels import Channel
from services.notify.delivery import Delivery
from services.notify.dispatcher import Dispatcher, Policy
from services.notify.facts import BurstFacts, Facts, load_facts
from services.notify.intake import take
from services.notify.models import OutboxEntry, SeenAward, SeenTitles, Status
from services.notify.politeness import QuietHours
from shared.database import session_factory
from shared.events import BadgeAwarded, ChallengeCompleted, CloudEvent, LevelReached

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, office hours
TITLES = [
    {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"},
    {"nl": "Een week aan één stuk", "en": "One-week streak"},
    {},
]
CHANNELS = [
    Channel(name="company", type="teams", url=SecretStr("https://x.example/a?sig=s")),
    Channel(
        name="finance",
        type="teams",
        url=SecretStr("https://x.example/b?sig=s"),
        language="fr",
        departments=["Finance"],
    ),
]


@dataclass(frozen=True)
class Step:
    gap: float  # seconds since the previous step
    awards: list[tuple[str, int, str]]  # (kind, title, department)
    rounds: list[float]  # dispatcher rounds after the intake, seconds apart


@dataclass(frozen=True)
class Pattern:
    steps: list[Step]
    threshold: int
    window: float
    settle: float
    refusals: list[bool]  # per post in order: the channel asks to retry later


award = st.tuples(
    st.sampled_from(["badge", "level", "challenge"]),
    st.integers(0, len(TITLES) - 1),
    st.sampled_from(["Finance", "Legal"]),
)
step = st.builds(
    Step,
    gap=st.floats(0, 900, allow_nan=False),
    awards=st.lists(award, max_size=25),
    rounds=st.lists(st.floats(0, 120, allow_nan=False), max_size=4),
)
patterns = st.builds(
    Pattern,
    steps=st.lists(step, min_size=1, max_size=8),
    threshold=st.integers(0, 10),
    window=st.sampled_from([30.0, 60.0, 300.0]),
    settle=st.sampled_from([0.0, 3.0]),
    refusals=st.lists(st.booleans(), max_size=12),
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Received:
    """What one channel received."""

    cards: int = 0
    digests: list[tuple[datetime, int]] = field(default_factory=list)  # (when, total)


class Recorder:
    """A channel that accepts posts, or asks to retry as the pattern says."""

    def __init__(self, clock: Clock, refusals: list[bool]) -> None:
        self.clock = clock
        self.refusals = list(refusals)
        self.got: defaultdict[str, Received] = defaultdict(Received)

    def ready(self, channel: Channel) -> bool:
        return True

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery:
        if self.refusals and self.refusals.pop(0):
            return Delivery("retry", "429", retry_after=45.0)
        got = self.got[channel.name]
        if isinstance(facts, BurstFacts):
            got.digests.append((self.clock(), facts.total))
        else:
            got.cards += 1
        return Delivery("sent")


def event(number: int, kind: str, title: int, department: str) -> CloudEvent[Any]:
    common: dict[str, Any] = {
        "person": f"p-{number % 7}",
        "rule": f"{kind}.r",
        "ruleset_version": 1,
        "activity_date": date(2026, 11, 25),
        "team": f"{department} team",
        "department": department,
        "ledger_key": f"{kind}:{number}",
        "title": TITLES[title].get("nl", "Early bird"),
        "titles": TITLES[title],
    }
    if kind == "badge":
        return CloudEvent.wrap(BadgeAwarded(badge="b", **common), source="test")
    if kind == "level":
        return CloudEvent.wrap(LevelReached(level=2, **common), source="test")
    payload = ChallengeCompleted(
        challenge="c", scope="person", winner=common["person"], rank=1, value=1.0, **common
    )
    return CloudEvent.wrap(payload, source="test")


@dataclass
class Outcome:
    pattern: Pattern
    rows: list[OutboxEntry]
    got: dict[str, Received]
    routed: Counter[str]  # personal cards routed per channel


async def run(engine: AsyncEngine, pattern: Pattern) -> Outcome:
    sessions = session_factory(engine)
    clock = Clock()
    recorder = Recorder(clock, pattern.refusals)
    policy = Policy(
        quiet=QuietHours.parse(BRUSSELS, "00:00", "00:00", weekends=False),
        daily_limit=10_000,
        burst_threshold=pattern.threshold,
        fold_seconds=pattern.window,
        claim_seconds=60.0,
        # Throttled posts are retried, never dead-lettered here: every card must arrive.
        max_attempts=len(pattern.refusals) + 1,
    )
    dispatcher = Dispatcher(sessions, CHANNELS, {"teams": recorder}, policy, clock)
    routed: Counter[str] = Counter()
    number = 0
    for step_ in pattern.steps:
        clock.now += timedelta(seconds=step_.gap)
        events = []
        for kind, title, department in step_.awards:
            events.append(event(number, kind, title, department))
            number += 1
            for channel in CHANNELS:
                routed[channel.name] += channel.wants(kind, department)
        async with sessions() as session:
            await take(session, events, CHANNELS, timedelta(seconds=pattern.settle), clock())
            await session.commit()
        for gap in step_.rounds:
            clock.now += timedelta(seconds=gap)
            await dispatcher.tick()
    # Then time passes until everything has gone out.
    for _ in range(200):
        async with sessions() as session:
            pending = (
                await session.exec(select(OutboxEntry).where(OutboxEntry.status == Status.PENDING))
            ).first()
        if pending is None:
            break
        clock.now += timedelta(seconds=pattern.window / 3)
        await dispatcher.tick()
    async with sessions() as session:
        rows = list((await session.exec(select(OutboxEntry).order_by(OutboxEntry.id))).all())  # type: ignore[arg-type]
    return Outcome(pattern, rows, dict(recorder.got), routed)


def check(outcome: Outcome) -> None:
    """At most one digest per channel per fold window; every card told exactly once."""
    window = timedelta(seconds=outcome.pattern.window)
    rows = outcome.rows
    assert all(row.status in (Status.SENT, Status.FOLDED) for row in rows), "something was left"
    digests = {row.key: row for row in rows if row.kind == "burst"}
    for name, got in outcome.got.items():
        times = [when for when, _ in got.digests]
        assert all(b - a >= window for a, b in itertools.pairwise(times)), name
    folded: Counter[str | None] = Counter(
        row.folded_into for row in rows if row.status == Status.FOLDED
    )
    for channel in CHANNELS:
        mine = [row for row in rows if row.channel == channel.name and row.kind != "burst"]
        assert len(mine) == outcome.routed[channel.name]
        alone = sum(row.status == Status.SENT for row in mine)
        got = outcome.got.get(channel.name, Received())
        assert got.cards == alone
        assert sum(total for _, total in got.digests) + alone == len(mine)
        for row in mine:
            if row.status == Status.FOLDED:
                assert row.folded_into in digests, row.key
                assert digests[row.folded_into].channel == channel.name
    for key, digest in digests.items():
        facts = load_facts(digest.facts)
        assert isinstance(facts, BurstFacts)
        assert digest.status == Status.SENT
        assert facts.total == folded[key] == sum(count.count for count in facts.titles)


async def reset(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        for model in (OutboxEntry, SeenAward, SeenTitles):
            await session.exec(delete(model))
        await session.commit()
