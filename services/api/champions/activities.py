"""Manual activities (a blog post, a training given, something else): submitted, then decided.

Anyone signed in submits what they did; an admin approves it with points (up to the rule
set's ``activity_max``) or rejects it with a reason. Approval grants
``RecognitionKind.ACTIVITY`` under the id ``activity:<id>``. Nobody decides on their own
activity. A decision is made once: the same decision again changes nothing, another one
is a conflict (a wrong approval is revoked through the recognition ledger, which the
submitter then sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.champions.errors import Conflict, Forbidden, Invalid, NotFound
from services.api.champions.store import erased
from services.api.champions.tables import Activity
from shared.events import RecognitionKind

Kind = Literal["blog_post", "training_given", "other"]
OLDEST = timedelta(days=365)


@dataclass(frozen=True)
class Report:
    """What the submitter says they did."""

    kind: Kind
    title: str
    day: date
    link: str | None = None
    description: str = ""


def grant_id(activity: str) -> str:
    return f"activity:{activity}"


async def submit(
    session: AsyncSession, person: str, activity: str, report: Report, today: date, now: datetime
) -> tuple[Activity, bool]:
    """The activity and whether it is new (False: this person submitted this id before)."""
    existing = await session.get(Activity, activity)
    if existing is not None:
        if existing.person != person:
            raise Conflict("this id belongs to another activity")
        return existing, False
    if report.day > today:
        raise Invalid("the activity's date lies in the future")
    if report.day < today - OLDEST:
        raise Invalid("activities of the last year only")
    if await erased(session, person):
        raise Forbidden("this person was erased")
    row = Activity(
        id=activity,
        person=person,
        kind=report.kind,
        title=report.title,
        day=report.day,
        link=report.link,
        description=report.description,
        status="pending",
        submitted_at=now,
    )
    session.add(row)
    return row, True


def _same(row: Activity, approve: bool, points: int | None) -> bool:
    if row.status != ("approved" if approve else "rejected"):
        return False
    return not approve or points is None or points == row.points


async def decide(
    session: AsyncSession,
    activity: str,
    *,
    approve: bool,
    points: int | None,
    reason: str | None,
    by: str,
    now: datetime,
) -> Activity:
    """Approve (granting ``points``, the rule set's offer when None) or reject."""
    row = await session.get(Activity, activity, with_for_update=True)
    if row is None:
        raise NotFound("no such activity")
    if row.person == by:
        raise Forbidden("another admin decides on your own activity")
    if row.status != "pending":
        if _same(row, approve, points):
            return row
        raise Conflict(f"this activity was {row.status} already")
    if approve:
        rules = await recognition.current_rules(session)
        paid = rules.points(RecognitionKind.ACTIVITY) if points is None else points
        most = recognition.points_limit(rules, RecognitionKind.ACTIVITY)
        if not 0 <= paid <= most:
            raise Invalid(f"an activity is worth 0 to {most} points")
        try:
            granted = await recognition.grant(
                session,
                grant=grant_id(row.id),
                person=row.person,
                kind=RecognitionKind.ACTIVITY,
                day=row.day,
                title=row.title,
                granted_by=by,
                points=paid,
            )
        except recognition.PersonErased as exc:
            raise Forbidden(str(exc)) from exc
        except recognition.GrantRefused as exc:
            raise Invalid(str(exc)) from exc
        row.points = granted.points
        row.grant = granted.grant
    row.status = "approved" if approve else "rejected"
    row.reason = reason
    row.decided_by = by
    row.decided_at = now
    session.add(row)
    return row
