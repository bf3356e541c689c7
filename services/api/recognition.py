"""Points for what Copilot usage does not show, granted and revoked through one door.

Champion events (attendance, hosting), approved manual activities, success stories,
kudos received, claim codes and confirmed use cases all pay points by calling
:func:`grant` inside the transaction of the change that earns them; a withdrawn reason
calls :func:`revoke`. Both write a row of ``api_recognition_grant`` (what the admin
lists and revokes) and add the event to the gateway's outbox in the same transaction,
so the grant, its row and its announcement commit or roll back together. Scoring puts
each grant in the ledger as ``recognition.<kind>`` and takes a revoked one out again,
whatever order the two arrive in.

A grant id names the reason, stable across retries, for instance
``event:<event id>:attended:<person>``, ``kudos:<kudos id>``, ``claim:<code>:<person>``
(up to 200 characters). The same id granted again changes nothing and returns the
first grant, also after a revocation: a revoked reason stays revoked.

    from services.api import recognition

    async with AsyncSession(engine) as session, session.begin():
        session.add(attendance)
        await recognition.grant(
            session,
            grant=f"event:{event.id}:attended:{person}",
            person=person,
            kind=RecognitionKind.EVENT_ATTENDED,
            day=event.day,
            title=event.title,
            granted_by=host,
        )

``points`` left out are the published rule set's points for the kind
(:func:`recognition_points`); an activity's approver picks within ``activity_max``
(:func:`points_limit`). A grant for an erased person is refused (:class:`PersonErased`).

Who granted or revoked stays in this table and off the bus: an event naming its granter
would be taken out of the streams when the granter is erased, and with it the points
of the person it was for. Scoring needs neither.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Column, Index, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from services.api.outbox import enqueue
from services.scoring.domain.rules import RecognitionRules, RuleSet
from services.scoring.rulebook import ActiveRules
from services.scoring.store.rulesets import RULESETS
from shared import suppression
from shared.events import RecognitionGranted, RecognitionKind, RecognitionRevoked

__all__ = [
    "GrantRefused",
    "PersonErased",
    "RecognitionGrant",
    "current_rules",
    "find",
    "grant",
    "listing",
    "points_limit",
    "recognition_points",
    "revoke",
]

MAX_POINTS = 10_000  # the event contract's bound


def utcnow() -> datetime:
    return datetime.now(UTC)


class RecognitionGrant(SQLModel, table=True):
    """One grant of points, as the gateway lists and revokes it."""

    __tablename__ = "api_recognition_grant"
    __table_args__ = (Index("ix_api_recognition_grant_person_day", "person", "day"),)

    grant_id: str = Field(sa_column=Column("grant_id", String(200), primary_key=True))
    person: str = Field(max_length=64)
    kind: str = Field(max_length=32, index=True)
    points: int
    day: date = Field(index=True)
    title: str = Field(default="", max_length=200)
    granted_by: str | None = Field(default=None, max_length=200)
    granted_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=200)
    revoke_reason: str | None = Field(default=None, max_length=500)

    def granted(self) -> RecognitionGranted:
        """The event this row announced (without its granter: see the module's notes)."""
        return RecognitionGranted(
            grant=self.grant_id,
            person=self.person,
            kind=RecognitionKind(self.kind),
            points=self.points,
            date=self.day,
            title=self.title,
        )

    def revoked(self) -> RecognitionRevoked | None:
        """The revocation this row announced, if it is revoked."""
        if self.revoked_at is None:
            return None
        return RecognitionRevoked(
            grant=self.grant_id, person=self.person, reason=self.revoke_reason or ""
        )


GRANTS: Table = RecognitionGrant.__table__  # type: ignore[attr-defined]


class GrantRefused(ValueError):
    """The grant breaks a rule (points out of bounds, a kind's maximum); nothing written."""


class PersonErased(GrantRefused):
    """The person was erased: nothing about them is stored or scored again."""


def recognition_points(
    rules: RuleSet | RecognitionRules | ActiveRules, kind: RecognitionKind
) -> int:
    """The points a grant of ``kind`` is worth under ``rules`` (a rule set, its
    ``recognition`` section, or the rulebook's rules in force)."""
    return _section(rules).points(kind)


def points_limit(rules: RuleSet | RecognitionRules | ActiveRules, kind: RecognitionKind) -> int:
    """The most a granter may give for ``kind`` (``activity_max`` for an activity)."""
    most = _section(rules).most(kind)
    return MAX_POINTS if most is None else most


def _section(rules: RuleSet | RecognitionRules | ActiveRules) -> RecognitionRules:
    if isinstance(rules, ActiveRules):
        return rules.rules.recognition
    if isinstance(rules, RuleSet):
        return rules.recognition
    return rules


async def current_rules(session: AsyncSession) -> RecognitionRules:
    """The published rule set's ``recognition`` section (the defaults before any is
    published). Only that section is read, so a grant costs one small query."""
    body = await session.scalar(
        select(RULESETS.c.body)
        .where(RULESETS.c.published_at.is_not(None))
        .order_by(RULESETS.c.version.desc())
        .limit(1)
    )
    if body is None:
        return RecognitionRules()
    try:
        section: Any = json.loads(body).get("recognition") or {}
        return RecognitionRules.model_validate(section)
    except (ValueError, ValidationError, AttributeError):
        return RecognitionRules()  # a published rule set was validated; defaults at worst


async def find(session: AsyncSession, grant_id: str) -> RecognitionGrant | None:
    """The grant row with this id, if any."""
    return await session.get(RecognitionGrant, grant_id)


async def grant(
    session: AsyncSession,
    *,
    grant: str,
    person: str,
    kind: RecognitionKind,
    day: date,
    title: str,
    granted_by: str | None,
    points: int | None = None,
) -> RecognitionGranted:
    """Grant ``points`` (the rule set's for ``kind`` when left out) to ``person`` for
    ``day``, in the caller's transaction; the caller commits.

    Idempotent on ``grant``: a second call with the same id writes nothing and returns
    the first grant (revoked or not). Raises :class:`GrantRefused` for points below 0,
    above the kind's limit, or an empty id; :class:`PersonErased` for an erased person.
    """
    if not grant or len(grant) > 200:
        raise GrantRefused("a grant id has 1 to 200 characters")
    existing = await find(session, grant)
    if existing is not None:
        return existing.granted()
    rules = await current_rules(session)
    paid = rules.points(kind) if points is None else points
    if not 0 <= paid <= points_limit(rules, kind):
        raise GrantRefused(f"{kind.value} is worth 0 to {points_limit(rules, kind)} points")
    event = RecognitionGranted(
        grant=grant, person=person, kind=kind, points=paid, date=day, title=title[:200]
    )
    conn = await session.connection()
    await suppression.hold(conn)
    if await suppression.among(conn, {person}):
        raise PersonErased("this person was erased")
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    inserted = await session.execute(
        dialect.insert(GRANTS)
        .values(
            grant_id=grant,
            person=person,
            kind=kind.value,
            points=paid,
            day=day,
            title=event.title,
            granted_by=granted_by,
            granted_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["grant_id"])
    )
    if not getattr(inserted, "rowcount", 0):  # a concurrent grant of the same id won
        winner = await find(session, grant)
        assert winner is not None
        return winner.granted()
    enqueue(session, event)
    return event


async def revoke(
    session: AsyncSession, *, grant: str, reason: str, revoked_by: str
) -> RecognitionRevoked | None:
    """Withdraw a grant, in the caller's transaction; the caller commits.

    ``None`` when no grant has this id. Idempotent: revoking a revoked grant writes
    nothing and returns the first revocation (with its reason).
    """
    row = await session.get(RecognitionGrant, grant, with_for_update=True)
    if row is None:
        return None
    if row.revoked_at is not None:
        return row.revoked()
    row.revoked_at = utcnow()
    row.revoked_by = revoked_by
    row.revoke_reason = reason[:500]
    session.add(row)
    event = row.revoked()
    assert event is not None
    enqueue(session, event)
    return event


async def listing(
    session: AsyncSession,
    *,
    person: str | None = None,
    kind: RecognitionKind | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> Sequence[RecognitionGrant]:
    """Grants, newest day first, filtered by person, kind and days (both inclusive)."""
    query = select(RecognitionGrant)
    if person is not None:
        query = query.where(GRANTS.c.person == person)
    if kind is not None:
        query = query.where(GRANTS.c.kind == kind.value)
    if start is not None:
        query = query.where(GRANTS.c.day >= start)
    if end is not None:
        query = query.where(GRANTS.c.day <= end)
    query = query.order_by(GRANTS.c.day.desc(), GRANTS.c.grant_id).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars())
