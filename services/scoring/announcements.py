"""Award events for notify and the live screens, one per new ledger row worth telling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from nats.js import JetStreamContext

from services.scoring.domain.model import Award, AwardKind
from services.scoring.store.directory import Membership
from shared.bus import MSG_ID_HEADER, publish_many
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


def points_event(
    award: Award, member: Membership | None, total: int | None, now: str
) -> tuple[str, bytes]:
    """An awards.points CloudEvent as JSON, built without pydantic: one per scoring signal.

    Same document as ``CloudEvent.wrap(PointsAwarded(...)).to_bytes()`` (the
    unit tests parse it back), at a fraction of the cost.
    """
    data: dict[str, Any] = {
        "person": award.person,
        "rule": award.rule,
        "ruleset_version": award.version,
        "activity_date": award.day.isoformat(),
        "ledger_key": award.key,
        "points": award.points,
    }
    if member is not None and member.team is not None:
        data["team"] = member.team
    if member is not None and member.department is not None:
        data["department"] = member.department
    if total is not None:
        data["total"] = total
    identity = event_id(PointsAwarded.event_type, award.key)
    document = {
        "specversion": "1.0",
        "id": identity,
        "source": SOURCE,
        "type": PointsAwarded.event_type,
        "time": now,
        "subject": award.person,
        "datacontenttype": "application/json",
        "data": data,
    }
    return identity, orjson.dumps(document)


async def announce_points(
    js: JetStreamContext,
    awards: Iterable[Award],
    members: dict[str, Membership],
    totals: dict[str, int],
) -> int:
    """Publish awards.points fire-and-forget: the ledger is their record."""
    now = datetime.now(UTC).isoformat()
    nc = js._nc
    sent = 0
    for award in awards:
        if award.kind != AwardKind.POINTS or award.points <= 0:
            continue
        identity, body = points_event(
            award, members.get(award.person), totals.get(award.person), now
        )
        headers = {MSG_ID_HEADER: identity, "ce-type": PointsAwarded.event_type}
        await nc.publish(PointsAwarded.subject_name, body, headers=headers)
        sent += 1
    return sent


async def announce(js: JetStreamContext, payloads: Iterable[AwardBase]) -> int:
    """Publish badges, levels and challenges and wait for JetStream's acknowledgements.

    The ledger key is each event's identity, so a repeated announcement (after a
    redelivery) is de-duplicated by JetStream.
    """
    now = datetime.now(UTC)
    events = [envelope(payload, now) for payload in payloads]
    if not events:
        return 0
    new, _ = await publish_many(js, events)
    return new
