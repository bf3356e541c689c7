"""From award events to outbox rows: one row per routed channel, keyed by channel and event."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.channels import Channel, route
from services.notify.facts import BadgeFacts, ChallengeFacts, Facts, LevelFacts, dump_facts
from services.notify.models import OutboxEntry, SeenAward, SeenTitles, utcnow
from services.notify.outbox import enqueue, insert_ignoring_duplicates
from shared import suppression
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    CloudEvent,
    LevelReached,
    PointsAwarded,
    TitledAward,
)


def facts_of(award: AwardBase) -> Facts | None:
    common: dict[str, Any] = {
        "person": award.person,
        "team": award.team,
        "department": award.department,
        "activity_date": award.activity_date,
    }
    match award:
        case BadgeAwarded():
            return BadgeFacts(badge=award.badge, title=award.title, titles=award.titles, **common)
        case LevelReached():
            return LevelFacts(level=award.level, title=award.title, titles=award.titles, **common)
        case ChallengeCompleted():
            return ChallengeFacts(
                challenge=award.challenge,
                title=award.title,
                titles=award.titles,
                scope=award.scope,
                winner=award.winner,
                rank=award.rank,
                value=award.value,
                **common,
            )
    return None  # points alone are too frequent to celebrate one by one


def titles_seen(events: Sequence[CloudEvent[Any]]) -> list[dict[str, Any]]:
    return [
        {"event_id": event.id, "titles": json.dumps(event.data.titles, sort_keys=True)}
        for event in events
        if isinstance(event.data, TitledAward) and event.data.titles
    ]


def seen(event: CloudEvent[Any]) -> dict[str, Any]:
    award: AwardBase = event.data
    return {
        "event_id": event.id,
        "kind": award.event_type.removeprefix("awards."),
        "person": award.person,
        "team": award.team,
        "department": award.department,
        "points": award.points if isinstance(award, PointsAwarded) else 0,
        "badge": award.badge if isinstance(award, BadgeAwarded) else None,
        "title": getattr(award, "title", None),
        "activity_date": award.activity_date,
    }


def named(award: AwardBase) -> set[str]:
    """The people an award names: the person, and a person challenge's winner."""
    names = {award.person}
    if isinstance(award, ChallengeCompleted) and award.scope == "person":
        names.add(award.winner)
    return names


async def without_erased(
    session: AsyncSession, events: Sequence[CloudEvent[Any]]
) -> list[CloudEvent[Any]]:
    conn = await session.connection()
    await suppression.hold(conn)
    erased = await suppression.among(conn, {n for e in events for n in named(e.data)})
    return [e for e in events if not named(e.data) & erased]


async def take(
    session: AsyncSession,
    events: Sequence[CloudEvent[Any]],
    channels: list[Channel],
    settle: timedelta,
    now: datetime | None = None,
) -> int:
    """Store the notifications for ``events`` (not committed); returns rows offered.

    Awards of erased people are dropped, under the erasure lock, so that an award
    announced just before an erasure cannot bring the person back.
    """
    now = now or utcnow()
    events = await without_erased(session, events)
    entries: list[OutboxEntry] = []
    for event in events:
        facts = facts_of(event.data)
        if facts is None:
            continue
        for channel in route(channels, facts.kind, event.data.department):
            entries.append(
                OutboxEntry(
                    key=f"{channel.name}:{event.id}",
                    channel=channel.name,
                    kind=facts.kind,
                    event_id=event.id,
                    facts=dump_facts(facts),
                    not_before=now + settle,
                    created_at=now,
                )
            )
    await enqueue(session, entries)
    await insert_ignoring_duplicates(session, SeenAward, [seen(e) for e in events])
    await insert_ignoring_duplicates(session, SeenTitles, titles_seen(events))
    return len(entries)
