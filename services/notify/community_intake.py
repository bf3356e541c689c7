"""From the community's announcements (stream COMMUNITY) to outbox rows.

- ``TipPosted``: a card to the department's Teams channel, else the default one;
- ``StoryPublished`` approved: a card to the default Teams channels and, when the
  author asked for it, a post to the company's Engage communities; removed: its cards
  not yet sent are taken out, and a late approval adds nothing;
- ``KudosGiven``: a card to the receiver's department channel, else the default one
  (many at once fold into one, see :mod:`services.notify.kudos_fold`);
- ``ChampionEventChanged``: created, an announcement to the event's departments'
  channels; updated, a follow-up where it was announced (an announcement where it
  was not); cancelled, a follow-up where it was announced. A card not yet sent is
  replaced by the newer one (see :mod:`services.notify.topics`);
- ``ChampionChanged`` approved: a welcome to their departments' channels; rejected
  or retired, a welcome not yet sent is taken out;
- ``NewsletterPublished``: the issue to the company's channels, each in its language
  (see :mod:`services.notify.newsletter_intake`).

Each row's key is ``<channel>:<event id>``, so a redelivered event adds nothing. An
event naming an erased person (giver, receiver, author, host, sender, champion) is
dropped under the erasure lock, as awards are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify import topics
from services.notify.channels import Channel, company, to_departments
from services.notify.community_facts import (
    ChampionFacts,
    EventFacts,
    KudosFacts,
    Notice,
    StoryFacts,
    TipFacts,
)
from services.notify.facts import Facts, dump_facts
from services.notify.models import OutboxEntry, as_utc, utcnow
from services.notify.newsletter_intake import newsletter_cards
from services.notify.outbox import enqueue
from shared import suppression
from shared.events import (
    ChampionChanged,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    NewsletterPublished,
    Payload,
    StoryPublished,
    TipPosted,
)
from shared.people import Person

COMMUNITY_PAYLOADS = (
    KudosGiven,
    StoryPublished,
    TipPosted,
    ChampionEventChanged,
    ChampionChanged,
    NewsletterPublished,
)


def named(payload: Payload) -> set[str]:
    """The people an announcement names."""
    match payload:
        case KudosGiven():
            return {payload.giver, payload.receiver}
        case StoryPublished():
            return {payload.author} if payload.author else set()
        case TipPosted():
            return {payload.sent_by} if payload.sent_by else set()
        case ChampionEventChanged():
            return {payload.host} if payload.host else set()
        case ChampionChanged():
            return {payload.person}
        case NewsletterPublished():
            return set(payload.named)
    return set()


@dataclass(frozen=True)
class Told:
    """Where and when this intake's cards go."""

    session: AsyncSession
    channels: list[Channel]
    due: datetime
    now: datetime
    tz: ZoneInfo

    def rows(
        self, event: CloudEvent[Any], cards: Sequence[tuple[Channel, Facts]]
    ) -> list[OutboxEntry]:
        return [
            OutboxEntry(
                key=f"{channel.name}:{event.id}",
                channel=channel.name,
                kind=facts.kind,
                event_id=event.id,
                facts=dump_facts(facts),
                not_before=self.due,
                created_at=self.now,
            )
            for channel, facts in cards
        ]


async def take_community(
    session: AsyncSession,
    events: Sequence[CloudEvent[Any]],
    channels: list[Channel],
    settle: timedelta,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> int:
    """Store the cards for ``events`` (not committed); returns the rows offered."""
    now = as_utc(now or utcnow())
    conn = await session.connection()
    await suppression.hold(conn)
    erased = await suppression.among(conn, {n for e in events for n in named(e.data)})
    told = Told(session, channels, now + settle, now, tz)
    offered = 0
    for event in events:
        if named(event.data) & erased:
            continue
        rows = told.rows(event, await cards_for(told, event.data))
        await enqueue(session, rows)  # before the next event, which may replace them
        offered += len(rows)
    return offered


async def cards_for(told: Told, payload: Payload) -> list[tuple[Channel, Facts]]:
    match payload:
        case TipPosted():
            return _tip(told, payload)
        case StoryPublished():
            return await _story(told, payload)
        case KudosGiven():
            return await _kudos(told, payload)
        case ChampionEventChanged():
            return await _event(told, payload)
        case ChampionChanged():
            return await _champion(told, payload)
        case NewsletterPublished():
            return list(newsletter_cards(told.channels, payload))
    return []


def _tip(told: Told, tip: TipPosted) -> list[tuple[Channel, Facts]]:
    facts = TipFacts(
        tip=tip.tip,
        department=tip.department,
        use_case=tip.use_case,
        app=tip.app.value,
        titles=tip.titles,
        prompts=tip.prompts,
        gap=tip.gap,
    )
    return [(c, facts) for c in to_departments(told.channels, "tip", [tip.department])]


async def _story(told: Told, story: StoryPublished) -> list[tuple[Channel, Facts]]:
    topic = f"story:{story.story}"
    if story.change == CommunityChange.REMOVED:
        await topics.close(told.session, topic)
        waiting = await topics.unsent(
            told.session, ("story",), lambda f: isinstance(f, StoryFacts) and f.story == story.story
        )
        await topics.take_out(told.session, [row for row, _ in waiting])
        return []
    if story.change != CommunityChange.APPROVED or await topics.is_closed(told.session, topic):
        return []
    facts = StoryFacts(
        story=story.story,
        app=story.app.value,
        minutes_saved=story.minutes_saved,
        text=story.text,
        department=story.department,
        author=story.author,
    )
    targets = company(told.channels, "story")
    if story.post_to_engage:
        targets += company(told.channels, "story", "engage")
    return [(c, facts) for c in targets]


async def _kudos(told: Told, kudos: KudosGiven) -> list[tuple[Channel, Facts]]:
    receiver = await told.session.get(Person, kudos.receiver)
    department = receiver.department if receiver is not None else None
    facts = KudosFacts(
        kudos=kudos.kudos,
        giver=kudos.giver,
        receiver=kudos.receiver,
        value=kudos.value,
        day=kudos.date,
    )
    targets = to_departments(told.channels, "kudos", [department] if department else [])
    return [(c, facts) for c in targets]


async def _event(told: Told, event: ChampionEventChanged) -> list[tuple[Channel, Facts]]:
    topic = f"event:{event.event}"
    announced = await topics.advance(told.session, topic, event.version)
    if announced is None:
        return []  # this change or a newer one was taken in before

    def of_this_event(facts: Facts) -> bool:
        return isinstance(facts, EventFacts) and facts.event == event.event

    waiting = await topics.unsent(told.session, ("event",), of_this_event)
    await topics.take_out(told.session, [row for row, _ in waiting])
    # An announcement never sent is no announcement: that channel hears of it anew.
    announced -= {
        row.channel for row, f in waiting if isinstance(f, EventFacts) and f.notice == "new"
    }
    known = {c.name: c for c in told.channels}
    routed = to_departments(told.channels, "event", event.departments)
    notices: list[tuple[Channel, Notice]] = []
    if event.change == CommunityChange.CREATED:
        notices = [(c, "new") for c in routed]
    elif event.change == CommunityChange.UPDATED:
        notices = [(c, "changed" if c.name in announced else "new") for c in routed]
        routed_names = {c.name for c in routed}
        notices += [(known[n], "changed") for n in sorted(announced - routed_names) if n in known]
    elif event.change == CommunityChange.REMOVED:
        notices = [(known[n], "cancelled") for n in sorted(announced) if n in known]
    announced |= {c.name for c, notice in notices if notice == "new"}
    await topics.settle(
        told.session, topic, announced, closed=event.change == CommunityChange.REMOVED
    )
    return [(c, _event_facts(told, event, notice)) for c, notice in notices]


def _event_facts(told: Told, event: ChampionEventChanged, notice: Notice) -> EventFacts:
    return EventFacts(
        event=event.event,
        notice=notice,
        version=event.version,
        format=event.format,
        title=event.title,
        starts_at=event.starts_at.astimezone(told.tz),
        ends_at=event.ends_at.astimezone(told.tz),
        departments=event.departments,
        host=event.host,
    )


async def _champion(told: Told, champion: ChampionChanged) -> list[tuple[Channel, Facts]]:
    if champion.status in ("rejected", "retired"):

        def earlier_welcome(facts: Facts) -> bool:
            return (
                isinstance(facts, ChampionFacts)
                and facts.person == champion.person
                and facts.version <= champion.version
            )

        waiting = await topics.unsent(told.session, ("champion",), earlier_welcome)
        await topics.take_out(told.session, [row for row, _ in waiting])
        return []
    if champion.status != "approved":
        return []
    facts = ChampionFacts(
        person=champion.person,
        version=champion.version,
        departments=champion.departments,
        apps=[app.value for app in champion.apps],
    )
    return [(c, facts) for c in to_departments(told.channels, "champion", champion.departments)]
