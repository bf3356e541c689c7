"""Award events for notify and the live screens, one per new ledger row worth telling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from nats.js import JetStreamContext

from services.scoring.domain.model import Award, AwardKind
from services.scoring.store.directory import Membership
from shared.bus import headers_for, publish_many
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    CloudEvent,
    LevelReached,
    PointsAwarded,
)
from shared.ids import event_id

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


ENVELOPES: dict[type[AwardBase], type[CloudEvent[Any]]] = {
    model: CloudEvent[model]  # type: ignore[valid-type]
    for model in (PointsAwarded, BadgeAwarded, LevelReached, ChallengeCompleted)
}


def envelope(payload: AwardBase, now: datetime) -> CloudEvent[Any]:
    return ENVELOPES[type(payload)](
        id=event_id(payload.event_type, *payload.identity()),
        source=SOURCE,
        type=payload.event_type,
        time=now,
        subject=payload.subject_of(),
        data=payload,
    )


async def announce(js: JetStreamContext, payloads: Iterable[AwardBase]) -> int:
    """Publish awards with the ledger key as identity, so a repeat is de-duplicated.

    Badges, levels and challenges wait for JetStream's acknowledgement. Points,
    one per scoring signal, are fire-and-forget: the ledger is their record, and
    waiting for thousands of acknowledgements would halve the scoring rate.
    """
    now = datetime.now(UTC)
    acked: list[CloudEvent[Any]] = []
    sent = 0
    for payload in payloads:
        event = envelope(payload, now)
        if isinstance(payload, PointsAwarded):
            await js._nc.publish(payload.subject_name, event.to_bytes(), headers=headers_for(event))
            sent += 1
        else:
            acked.append(event)
    if acked:
        new, _ = await publish_many(js, acked)
        sent += new
    return sent
