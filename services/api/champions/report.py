"""The programme in numbers, for admins: champions, events, attendance, activities, points.

Counts only. Points are the grants still standing (revoked ones left out) of the kinds
the programme pays: attending, hosting, activities.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.tables import Activity, Champion, ChampionEvent, Checkin, as_utc
from services.api.recognition import RecognitionGrant
from shared.events import RecognitionKind

KINDS = (RecognitionKind.EVENT_ATTENDED, RecognitionKind.EVENT_HOSTED, RecognitionKind.ACTIVITY)


class DepartmentReport(BaseModel):
    department: str
    champions: int = Field(description="Approved champions serving it")
    events: int = Field(description="Events held for it (not cancelled, started)")
    attendees: int = Field(description="Check-ins at those events")


class ProgrammeReport(BaseModel):
    since: date | None
    until: date | None
    champions: dict[str, int] = Field(description="People per status")
    events_held: int
    events_upcoming: int
    events_cancelled: int
    attendees: int = Field(description="Check-ins at events held")
    activities: dict[str, int] = Field(description="Activities per status")
    points: dict[str, int] = Field(description="Points standing, per kind")
    departments: list[DepartmentReport]


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


async def report(
    session: AsyncSession, now: datetime, since: date | None, until: date | None
) -> ProgrammeReport:
    champions = (await session.exec(select(Champion))).all()
    events = [
        e
        for e in (await session.exec(select(ChampionEvent))).all()
        if _within(as_utc(e.starts_at).date(), since, until)
    ]
    attended = Counter(c.event for c in (await session.exec(select(Checkin))).all())
    held = [e for e in events if not e.cancelled and as_utc(e.starts_at) <= now]
    activities = Counter(
        a.status
        for a in (await session.exec(select(Activity))).all()
        if _within(a.day, since, until)
    )
    standing = await session.exec(
        select(RecognitionGrant).where(
            col(RecognitionGrant.kind).in_([k.value for k in KINDS]),
            col(RecognitionGrant.revoked_at).is_(None),
        )
    )
    points = {k.value: 0 for k in KINDS}
    for grant in standing.all():
        if _within(grant.day, since, until):
            points[grant.kind] += grant.points
    departments: dict[str, DepartmentReport] = {}

    def department(name: str) -> DepartmentReport:
        if name not in departments:
            departments[name] = DepartmentReport(
                department=name, champions=0, events=0, attendees=0
            )
        return departments[name]

    for champion in champions:
        if champion.status == "approved":
            for name in champion.departments:
                department(name).champions += 1
    for event in held:
        for name in event.departments:
            department(name).events += 1
            department(name).attendees += attended[event.id]
    statuses = Counter(c.status for c in champions)
    return ProgrammeReport(
        since=since,
        until=until,
        champions={s: statuses[s] for s in ("pending", "approved", "rejected", "retired")},
        events_held=len(held),
        events_upcoming=sum(1 for e in events if not e.cancelled and as_utc(e.starts_at) > now),
        events_cancelled=sum(1 for e in events if e.cancelled),
        attendees=sum(attended[e.id] for e in held),
        activities={s: activities[s] for s in ("pending", "approved", "rejected")},
        points=points,
        departments=sorted(departments.values(), key=lambda d: d.department),
    )
