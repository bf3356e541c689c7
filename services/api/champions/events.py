"""Champion events: created, changed and cancelled by their host; ``ChampionEventChanged``.

A champion hosts events for the departments they serve (an admin for any; no department
means everyone), of at most ``MAX_DURATION``. The id is the client's: the same id again
from the same host returns the event. Once someone has checked in, the times stay as
they are (attendance points are dated by them) and the event can no longer be
cancelled; a wrong grant is revoked through the recognition ledger instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.display import DisplayToken
from services.api.champions.access import ChampionContext
from services.api.champions.codes import new_secret
from services.api.champions.errors import Conflict, Forbidden, Invalid, NotFound
from services.api.champions.tables import ChampionEvent, Checkin, as_utc
from services.api.outbox import enqueue
from shared.events import ChampionEventChanged, CommunityChange

Format = Literal["lunch_and_learn", "office_hours", "promptathon"]
MAX_DURATION = timedelta(hours=8)
MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class Plan:
    """What a host says about an event."""

    title: str
    format: Format
    starts_at: datetime
    ends_at: datetime
    departments: tuple[str, ...] = ()
    screens: tuple[int, ...] = ()
    description: str = ""
    location: str = ""


def announcement(row: ChampionEvent, change: CommunityChange) -> ChampionEventChanged:
    return ChampionEventChanged(
        event=row.id,
        change=change,
        format=row.format,
        title=row.title,
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        departments=list(row.departments),
        host=row.host,
        version=row.version,
    )


def plan_of(row: ChampionEvent) -> Plan:
    return Plan(
        title=row.title,
        format=row.format,  # type: ignore[arg-type]
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        departments=tuple(row.departments),
        screens=tuple(row.screens),
        description=row.description,
        location=row.location,
    )


async def _check(
    session: AsyncSession, host: ChampionContext, plan: Plan, before: Plan | None = None
) -> None:
    """Whether ``plan`` may be held; departments and screens it had ``before`` stay."""
    if plan.ends_at <= plan.starts_at:
        raise Invalid("an event ends after it starts")
    if plan.ends_at - plan.starts_at > MAX_DURATION:
        raise Invalid("an event lasts at most 8 hours")
    kept_departments = before.departments if before else ()
    kept_screens = before.screens if before else ()
    outside = [d for d in plan.departments if d not in kept_departments and not host.serves(d)]
    if outside:
        raise Forbidden(f"you are not a champion of {', '.join(sorted(outside))}")
    added = set(plan.screens) - set(kept_screens)
    if added:
        found = await session.exec(
            select(DisplayToken.id).where(
                col(DisplayToken.id).in_(added), col(DisplayToken.revoked_at).is_(None)
            )
        )
        unknown = added - set(found.all())
        if unknown:
            raise Invalid(f"no such screen: {', '.join(map(str, sorted(unknown)))}")


async def attendees(session: AsyncSession, event: str) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Checkin).where(col(Checkin.event) == event)
    )
    return int(found or 0)


async def create(
    session: AsyncSession, host: ChampionContext, event: str, plan: Plan, now: datetime
) -> tuple[ChampionEvent, bool]:
    """The event and whether it is new (False: this host created it before)."""
    existing = await session.get(ChampionEvent, event)
    if existing is not None:
        if existing.host != host.person:
            raise Conflict("this id belongs to another event")
        return existing, False
    if plan.ends_at <= now:
        raise Invalid("this event would be over already")
    if plan.starts_at > now + MAX_AHEAD:
        raise Invalid("plan events at most a year ahead")
    await _check(session, host, plan)
    row = ChampionEvent(
        id=event,
        host=host.person,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
        **_columns(plan),
    )
    session.add(row)
    enqueue(session, announcement(row, CommunityChange.CREATED))
    return row, True


def _columns(plan: Plan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "format": plan.format,
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "departments": list(plan.departments),
        "screens": list(plan.screens),
        "description": plan.description,
        "location": plan.location,
    }


async def _hosted(session: AsyncSession, host: ChampionContext, event: str) -> ChampionEvent:
    row = await session.get(ChampionEvent, event, with_for_update=True)
    if row is None:
        raise NotFound("no such event")
    if row.host != host.person and not host.admin:
        raise Forbidden("only the host or an admin may change this event")
    return row


async def update(
    session: AsyncSession,
    host: ChampionContext,
    event: str,
    changes: dict[str, object],
    *,
    version: int | None,
    now: datetime,
) -> ChampionEvent:
    """Apply ``changes`` (fields of :class:`Plan`); unchanged fields change nothing."""
    row = await _hosted(session, host, event)
    if row.cancelled:
        raise Conflict("this event was cancelled")
    if version is not None and version != row.version:
        raise Conflict(f"the event changed meanwhile (version {row.version}); reload it")
    before = plan_of(row)
    after = replace(before, **changes)  # type: ignore[arg-type]
    if after == before:
        return row
    moved = (after.starts_at, after.ends_at) != (before.starts_at, before.ends_at)
    if moved and await attendees(session, event):
        raise Conflict("colleagues have checked in: the times stay as they are")
    if moved and after.ends_at <= now:
        raise Invalid("this event would be over already")
    await _check(session, host, after, before)
    for name, value in _columns(after).items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = now
    session.add(row)
    enqueue(session, announcement(row, CommunityChange.UPDATED))
    return row


async def cancel(
    session: AsyncSession, host: ChampionContext, event: str, now: datetime
) -> ChampionEvent:
    """Cancel an event nobody checked in to; cancelling again changes nothing."""
    row = await _hosted(session, host, event)
    if row.cancelled:
        return row
    if await attendees(session, event):
        raise Conflict("colleagues have checked in: the event took place")
    row.cancelled = True
    row.version += 1
    row.updated_at = now
    session.add(row)
    enqueue(session, announcement(row, CommunityChange.REMOVED))
    return row
