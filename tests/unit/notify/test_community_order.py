"""Whatever the order in which a champion event's changes and a story's approval and
withdrawal arrive, repeated or not, with cards sent in between or not: each channel hears
of the event once as new, then of its changes in order and ends with its latest version
(or its cancellation), and a withdrawn story is never posted after its withdrawal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify import models  # noqa: F401  # registers the notify tables
from services.notify.channels import Channel
from services.notify.community_facts import EventFacts, StoryFacts
from services.notify.community_intake import take_community
from services.notify.delivery import Delivery
from services.notify.dispatcher import Dispatcher, Policy
from services.notify.facts import Facts
from services.notify.politeness import QuietHours
from shared.database import create_engine, create_tables, session_factory
from shared.events import App, ChampionEventChanged, CloudEvent, CommunityChange, StoryPublished

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHANNELS = [
    Channel(name="company", type="teams", url=SecretStr("https://x.example/a?sig=s")),
    Channel(
        name="finance",
        type="teams",
        url=SecretStr("https://x.example/b?sig=s"),
        departments=["Finance"],
    ),
]
AUDIENCES = [[], ["Finance"], ["Legal"], ["Finance", "Legal"]]
WHERE = {(): {"company"}, ("Finance",): {"finance"}, ("Legal",): {"company"}}
WHERE[("Finance", "Legal")] = {"company", "finance"}


def event_change(version: int, change: CommunityChange, departments: list[str]) -> CloudEvent[Any]:
    starts = datetime(2026, 12, 1, 11, 0, tzinfo=UTC) + timedelta(days=version)
    payload = ChampionEventChanged(
        event="e-1",
        change=change,
        format="lunch_and_learn",
        title=f"version {version}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        departments=departments,
        host="p-host",
        version=version,
    )
    return CloudEvent.wrap(payload, source="uptake/api")


def story(change: CommunityChange) -> CloudEvent[Any]:
    payload = StoryPublished(
        story="s-1", change=change, app=App.WORD, minutes_saved=20, text="A report in an hour"
    )
    return CloudEvent.wrap(payload, source="uptake/api")


@dataclass(frozen=True)
class Arrival:
    item: int  # index into the history
    send_after: bool  # a dispatcher round follows this intake


@dataclass(frozen=True)
class Case:
    audiences: list[int]  # per version of the event, an index into AUDIENCES
    cancelled: bool
    withdrawn: bool
    arrivals: list[Arrival]

    def history(self) -> list[CloudEvent[Any]]:
        last = len(self.audiences)
        events = [
            event_change(
                n,
                CommunityChange.CREATED if n == 1 else CommunityChange.UPDATED,
                AUDIENCES[a],
            )
            for n, a in enumerate(self.audiences, start=1)
        ]
        if self.cancelled:
            events.append(event_change(last + 1, CommunityChange.REMOVED, AUDIENCES[0]))
        events.append(story(CommunityChange.APPROVED))
        if self.withdrawn:
            events.append(story(CommunityChange.REMOVED))
        return events


@st.composite
def cases(draw: st.DrawFn) -> Case:
    audiences = draw(st.lists(st.integers(0, len(AUDIENCES) - 1), min_size=1, max_size=4))
    cancelled, withdrawn = draw(st.booleans()), draw(st.booleans())
    size = len(audiences) + cancelled + 1 + withdrawn
    order = draw(st.permutations(range(size)))
    repeats = draw(st.lists(st.integers(0, size - 1), max_size=3))
    items = list(order)
    for repeat in repeats:
        items.insert(draw(st.integers(0, len(items))), repeat)
    sends = draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    arrivals = [Arrival(i, s) for i, s in zip(items, sends, strict=True)]
    return Case(audiences, cancelled, withdrawn, arrivals)


@dataclass
class Recorder:
    """Channels that accept every post; what each got, and at which step."""

    step: int = 0
    posts: list[tuple[int, str, Facts]] = field(default_factory=list)

    def ready(self, channel: Channel) -> bool:
        return True

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery:
        self.posts.append((self.step, channel.name, facts))
        return Delivery("sent")


async def run(engine: AsyncEngine, case: Case) -> Recorder:
    sessions = session_factory(engine)
    recorder = Recorder()
    policy = Policy(quiet=QuietHours(BRUSSELS, time(0), time(0), weekends=False))
    dispatcher = Dispatcher(sessions, CHANNELS, {"teams": recorder}, policy, lambda: START)
    history = case.history()
    for step, arrival in enumerate(case.arrivals):
        recorder.step = step
        async with sessions() as session:
            await take_community(
                session, [history[arrival.item]], CHANNELS, timedelta(0), BRUSSELS, START
            )
            await session.commit()
        if arrival.send_after:
            await dispatcher.tick()
    recorder.step = len(case.arrivals)
    await dispatcher.tick()
    return recorder


def check(case: Case, recorder: Recorder) -> None:
    events = [(name, f) for _, name, f in recorder.posts if isinstance(f, EventFacts)]
    final = len(case.audiences) + case.cancelled
    for channel in ("company", "finance"):
        told = [f for name, f in events if name == channel]
        versions = [f.version for f in told]
        assert versions == sorted(set(versions)), (channel, versions)  # once each, in order
        notices = [f.notice for f in told]
        assert notices[:1] in ([], ["new"]) and notices.count("new") <= 1, (channel, notices)
        if told:  # whoever heard of it hears its latest version last
            assert told[-1].version == final and told[-1].title == f"version {final}"
            assert told[-1].notice == ("cancelled" if case.cancelled else told[-1].notice)
    if not case.cancelled:
        audience = WHERE[tuple(AUDIENCES[case.audiences[-1]])]
        assert audience <= {name for name, _ in events}  # its audience heard of it
    stories = [(step, f) for step, _, f in recorder.posts if isinstance(f, StoryFacts)]
    assert len(stories) <= 1
    history = case.history()
    withdrawn_at = [
        step
        for step, arrival in enumerate(case.arrivals)
        if getattr(history[arrival.item].data, "change", None) == CommunityChange.REMOVED
        and isinstance(history[arrival.item].data, StoryPublished)
    ]
    if withdrawn_at:
        assert all(step < withdrawn_at[0] for step, _ in stories), stories
    else:
        assert len(stories) == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
async def test_any_order_of_changes_tells_each_channel_the_latest_once(
    tmp_path: Path, case: Case
) -> None:
    note(repr(case))
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    try:
        await create_tables(engine)
        check(case, await run(engine, case))
    finally:
        await engine.dispose()


async def test_a_change_before_anything_was_sent_is_one_announcement_of_the_latest(
    tmp_path: Path,
) -> None:
    arrivals = [Arrival(0, False), Arrival(1, False), Arrival(2, True)]
    case = Case(audiences=[0, 3], cancelled=False, withdrawn=False, arrivals=arrivals)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    try:
        await create_tables(engine)
        recorder = await run(engine, case)
    finally:
        await engine.dispose()
    told = sorted(
        (name, f.notice, f.version) for _, name, f in recorder.posts if isinstance(f, EventFacts)
    )
    assert told == [("company", "new", 2), ("finance", "new", 2)]


async def test_a_cancellation_before_anything_was_sent_posts_nothing(tmp_path: Path) -> None:
    arrivals = [Arrival(0, False), Arrival(1, False), Arrival(2, False), Arrival(3, True)]
    case = Case(audiences=[1], cancelled=True, withdrawn=True, arrivals=arrivals)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    try:
        await create_tables(engine)
        recorder = await run(engine, case)
    finally:
        await engine.dispose()
    assert recorder.posts == []
