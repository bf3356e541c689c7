"""Award events for notify and the live screens, one per new ledger row worth telling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from nats.js import JetStreamContext

from services.scoring.domain.model import Award, AwardKind
from services.scoring.store.directory import Membership
from shared.bus import publish_many
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    CloudEvent,
    LevelReached,
    PointsAwarded,
)

SOURCE = "uptake/scoring"


def award_event(
    award: Award, member: Membership | None, total: int | None = None
) -> AwardBase | None:
    common: dict[str, Any] = {
        "person": award.person,
        "rule": award.rule,
        "ruleset_version": award.version,
        "activity_date": award.day,
        "team": member.team if member else None,
        "department": member.department if member else None,
        "ledger_key": award.key,
    }
    match award.kind:
        case AwardKind.POINTS:
            if award.points <= 0:
                return None
            return PointsAwarded(**common, points=award.points, total=total)
        case AwardKind.BADGE:
            return BadgeAwarded(**common, badge=award.ref or "", title=award.title or "")
        case AwardKind.LEVEL:
            return LevelReached(**common, level=int(award.ref or 0), title=award.title or "")
    return None


def challenge_event(
    award: Award,
    member: Membership | None,
    scope: Literal["person", "team", "department"],
    winner: str,
    rank: int,
    value: float,
) -> ChallengeCompleted:
    return ChallengeCompleted(
        person=award.person,
        rule=award.rule,
        ruleset_version=award.version,
        activity_date=award.day,
        team=member.team if member else None,
        department=member.department if member else None,
        ledger_key=award.key,
        challenge=award.ref or "",
        title=award.title or "",
        scope=scope,
        winner=winner,
        rank=rank,
        value=value,
    )


async def announce(js: JetStreamContext, payloads: Iterable[AwardBase]) -> int:
    """Publish with the ledger key as identity, so a repeated announcement is de-duplicated."""
    events: list[CloudEvent[Any]] = [CloudEvent.wrap(p, source=SOURCE) for p in payloads]
    if not events:
        return 0
    new, _ = await publish_many(js, events)
    return new
