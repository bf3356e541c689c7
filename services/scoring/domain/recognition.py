"""Points granted outside Copilot usage, as ledger rows: granted, and taken back.

A grant pays its points, as given, on its day under the rule ``recognition.<kind>``;
no daily cap applies. A revocation is a second, compensating row of minus those
points on the same day, so the ledger stays append-only and the day's sum, the
boards, levels and points milestones all see the grant gone. Both rows follow from
what is known of the grant (granted, revoked, or both), never from the order in
which the two arrived: a revocation that comes first waits for its grant, and the
grant then writes both rows at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from services.scoring.domain.engine import PersonState, day_start
from services.scoring.domain.model import Award, AwardKind, award_key
from shared.events import RecognitionKind

GRANTED = "recognition"
REVOKED = "recognition-revoked"
KEY_LENGTH = 200  # the ledger key's column


@dataclass(frozen=True, slots=True)
class Grant:
    """What scoring knows of one grant id for one person."""

    person: str
    grant: str
    kind: RecognitionKind | None = None  # None: only the revocation has come
    points: int = 0
    day: date | None = None
    title: str = ""
    granted_event: str | None = None
    revoked: bool = False
    reason: str = ""
    revoked_event: str | None = None

    @property
    def known(self) -> bool:
        """Whether the grant itself has come (not only its revocation)."""
        return self.kind is not None and self.day is not None

    @property
    def rule(self) -> str:
        return f"recognition.{self.kind}"


def ledger_key(prefix: str, version: int, grant: str) -> str:
    """The row's unique key; a grant id too long for the column is hashed."""
    key = award_key(prefix, version, grant)
    if len(key) <= KEY_LENGTH:
        return key
    return award_key(prefix, version, "#" + hashlib.sha256(grant.encode()).hexdigest())


def grant_awards(grant: Grant, version: int, tz: ZoneInfo) -> list[Award]:
    """The ledger rows a grant stands for under ``version``: none while only its revocation
    is known; its points; and, once revoked, the compensating row."""
    if grant.kind is None or grant.day is None:
        return []
    at = day_start(grant.day, tz)
    rows = [
        Award(
            key=ledger_key(GRANTED, version, grant.grant),
            kind=AwardKind.POINTS,
            rule=grant.rule,
            version=version,
            person=grant.person,
            day=grant.day,
            at=at,
            points=grant.points,
            event_id=grant.granted_event,
            title=grant.title,
            note=f"{grant.points} for {grant.kind}",
        )
    ]
    if grant.revoked:
        reason = f"revoked: {grant.reason}" if grant.reason else "revoked"
        rows.append(
            Award(
                key=ledger_key(REVOKED, version, grant.grant),
                kind=AwardKind.POINTS,
                rule=grant.rule,
                version=version,
                person=grant.person,
                day=grant.day,
                at=at,
                points=-grant.points,
                event_id=grant.revoked_event,
                title=grant.title,
                note=reason[:500],
            )
        )
    return rows


def is_recognition(rule: str) -> bool:
    return rule.startswith("recognition.")


def count_in(state: PersonState, award: Award) -> None:
    """Add a recognition row's points to a person's state: to their day's points, and
    apart from the daily cap."""
    state.paid_by_day[award.day] = state.paid_by_day.get(award.day, 0) + award.points
    state.granted_by_day[award.day] = state.granted_by_day.get(award.day, 0) + award.points
