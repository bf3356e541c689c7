"""Becoming, being and stopping being a champion; every change announced as ``ChampionChanged``.

    (none) --apply/nominate--> pending --approve--> approved --retire--> retired
                               pending --reject---> rejected
    rejected, retired --apply/nominate--> pending (a new application)
    pending, approved --withdraw (the champion themselves)--> retired

An application carries the client's id: the same id again (a retry) returns the row as
it is. Applying or nominating someone who is already pending or approved changes
nothing either. A decision equal to the current status changes nothing; any other
decision outside the arrows above is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.errors import Conflict, Forbidden, NotFound
from services.api.champions.store import erased
from services.api.champions.tables import Champion
from services.api.outbox import enqueue
from shared.events import App, ChampionChanged

Status = Literal["pending", "approved", "rejected", "retired"]
Decision = Literal["approved", "rejected", "retired"]
DECISIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "approved": frozenset({"retired"}),
}
IN_PROGRAMME = frozenset({"pending", "approved"})


@dataclass(frozen=True)
class Application:
    id: str
    person: str
    departments: tuple[str, ...]
    apps: tuple[App, ...]
    motivation: str
    nominated_by: str | None = None  # None: the person applied themselves


def announcement(row: Champion) -> ChampionChanged:
    return ChampionChanged(
        person=row.person,
        status=row.status,
        departments=list(row.departments),
        apps=[App(app) for app in row.apps],
        version=row.version,
    )


async def apply(
    session: AsyncSession, application: Application, now: datetime
) -> tuple[Champion, bool]:
    """Record an application or nomination (pending), or return the row as it is; the flag
    says whether this call changed it."""
    row = await session.get(Champion, application.person, with_for_update=True)
    if row is not None and row.application == application.id:
        if row.nominated_by != application.nominated_by:
            raise Conflict("this id belongs to another application")
        return row, False
    if row is not None and row.status in IN_PROGRAMME:
        return row, False
    if await erased(session, application.person):
        raise Forbidden("this person was erased")
    if row is None:
        row = Champion(person=application.person, status="pending", application=application.id)
    else:
        row.version += 1
    row.status = "pending"
    row.application = application.id
    row.departments = list(application.departments)
    row.apps = [app.value for app in application.apps]
    row.motivation = application.motivation
    row.nominated_by = application.nominated_by
    row.applied_at = now
    row.changed_at = now
    row.reason = None
    row.decided_by = None
    session.add(row)
    enqueue(session, announcement(row))
    return row, True


async def decide(
    session: AsyncSession,
    person: str,
    decision: Decision,
    *,
    reason: str | None,
    by: str,
    now: datetime,
) -> Champion:
    """An admin approves, rejects or retires; the same decision again changes nothing."""
    row = await session.get(Champion, person, with_for_update=True)
    if row is None:
        raise NotFound("this person has not applied and was not nominated")
    if row.status == decision:
        return row
    if decision not in DECISIONS.get(row.status, frozenset()):
        raise Conflict(f"a {row.status} champion cannot be {decision}")
    return _change(session, row, decision, reason=reason, by=by, now=now)


async def withdraw(
    session: AsyncSession, person: str, *, reason: str | None, now: datetime
) -> Champion:
    """The champion (or applicant) steps down; again changes nothing."""
    row = await session.get(Champion, person, with_for_update=True)
    if row is None:
        raise NotFound("you are not a champion")
    if row.status not in IN_PROGRAMME:
        return row
    return _change(session, row, "retired", reason=reason, by=person, now=now)


def _change(
    session: AsyncSession,
    row: Champion,
    status: Status,
    *,
    reason: str | None,
    by: str,
    now: datetime,
) -> Champion:
    row.status = status
    row.reason = reason
    row.decided_by = by
    row.changed_at = now
    row.version += 1
    session.add(row)
    enqueue(session, announcement(row))
    return row
