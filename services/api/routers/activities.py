"""Manual activities: anyone submits what they did; admins approve with points, or reject.

The submitter sees each activity's status, points and reason, and whether approved
points were withdrawn since (revocation goes through the recognition ledger's admin
endpoint, under the grant id ``activity:<id>``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions import activities
from services.api.champions.clock import NowDep
from services.api.champions.errors import Refused
from services.api.champions.store import write
from services.api.champions.tables import Activity, as_utc
from services.api.community.responses import answers
from services.api.deps import AdminDep, EmployeeDep, ResourcesDep
from services.api.recognition import RecognitionGrant
from services.api.text import Document, OneLine
from shared.people import Person
from shared.periods import local_date

router = APIRouter(tags=["activities"], responses=answers(400, 401, 403))

Status = Literal["pending", "approved", "rejected"]


class ActivityBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Made by the client; a retry with the same id is no new one")
    kind: activities.Kind
    title: OneLine = Field(min_length=1, max_length=200)
    date: date
    link: AnyHttpUrl | None = Field(default=None, description="http(s) only")
    description: Document = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _short_link(self) -> ActivityBody:
        if self.link is not None and len(str(self.link)) > 500:
            raise ValueError("a link has at most 500 characters")
        return self


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    points: int | None = Field(
        default=None, ge=0, le=10_000, description="Within the rule set's activity_max"
    )
    reason: Document | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> DecisionBody:
        if not self.approve and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason")
        return self


class ActivityPublic(BaseModel):
    id: str
    kind: str
    title: str
    date: date
    link: str | None
    description: str
    status: Status
    points: int | None
    reason: str | None
    submitted_at: datetime
    decided_at: datetime | None
    revoked: bool = Field(description="Approved points were withdrawn since")
    revoke_reason: str | None = None


class ActivityForAdmin(ActivityPublic):
    person: str
    name: str | None = Field(description="The directory's name, as the address book shows it")
    department: str | None


def public(row: Activity, grant: RecognitionGrant | None) -> ActivityPublic:
    revoked = grant is not None and grant.revoked_at is not None
    return ActivityPublic(
        id=row.id,
        kind=row.kind,
        title=row.title,
        date=row.day,
        link=row.link,
        description=row.description,
        status=row.status,
        points=row.points,
        reason=row.reason,
        submitted_at=as_utc(row.submitted_at),
        decided_at=None if row.decided_at is None else as_utc(row.decided_at),
        revoked=revoked,
        revoke_reason=grant.revoke_reason if revoked and grant is not None else None,
    )


async def _grants(session: AsyncSession, rows: list[Activity]) -> dict[str, RecognitionGrant]:
    ids = [row.grant for row in rows if row.grant]
    if not ids:
        return {}
    found = await session.exec(
        select(RecognitionGrant).where(col(RecognitionGrant.grant_id).in_(ids))
    )
    return {grant.grant_id: grant for grant in found.all()}


@router.post(
    "/api/activities",
    response_model=ActivityPublic,
    status_code=status.HTTP_201_CREATED,
    responses=answers(409, 413),
)
async def submit_activity(
    body: ActivityBody, response: Response, resources: ResourcesDep, me: EmployeeDep, now: NowDep
) -> ActivityPublic:
    """Submit an activity for approval; 200 with it when this id was submitted before."""
    assert me.person is not None
    person = me.person
    report = activities.Report(
        kind=body.kind,
        title=body.title.strip(),
        day=body.date,
        link=None if body.link is None else str(body.link),
        description=body.description.strip(),
    )
    today = local_date(now, resources.settings.tz)
    try:
        row, created = await write(
            resources.engine,
            lambda s: activities.submit(s, person, str(body.id), report, today, now),
        )
    except Refused as exc:
        raise exc.http() from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    async with AsyncSession(resources.engine) as session:
        grants = await _grants(session, [row])
    return public(row, grants.get(row.grant or ""))


@router.get("/api/activities", response_model=list[ActivityPublic])
async def my_activities(resources: ResourcesDep, me: EmployeeDep) -> list[ActivityPublic]:
    """My activities, newest first, with their status, points and reason."""
    async with AsyncSession(resources.engine) as session:
        rows = list(
            (
                await session.exec(
                    select(Activity)
                    .where(col(Activity.person) == me.person)
                    .order_by(col(Activity.submitted_at).desc())
                    .limit(500)
                )
            ).all()
        )
        grants = await _grants(session, rows)
    return [public(row, grants.get(row.grant or "")) for row in rows]


@router.get("/api/admin/activities", response_model=list[ActivityForAdmin])
async def activities_for_admin(
    resources: ResourcesDep,
    _: AdminDep,
    status_: Annotated[Status | None, Query(alias="status")] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ActivityForAdmin]:
    """The approval queue (pending, oldest first), or decided activities."""
    async with AsyncSession(resources.engine) as session:
        query = select(Activity).order_by(col(Activity.submitted_at), col(Activity.id))
        if status_ is not None:
            query = query.where(col(Activity.status) == status_)
        rows = list((await session.exec(query.limit(limit))).all())
        grants = await _grants(session, rows)
        people = {
            p.person: p
            for p in (
                await session.exec(
                    select(Person).where(col(Person.person).in_({r.person for r in rows}))
                )
            ).all()
        }
    return [
        ActivityForAdmin(
            **public(row, grants.get(row.grant or "")).model_dump(),
            person=row.person,
            name=people[row.person].display_name if row.person in people else None,
            department=people[row.person].department if row.person in people else None,
        )
        for row in rows
    ]


@router.post(
    "/api/admin/activities/{activity}/decision",
    response_model=ActivityPublic,
    responses=answers(404, 409, 413),
)
async def decide_activity(
    activity: Annotated[UUID, Path()],
    body: DecisionBody,
    resources: ResourcesDep,
    admin: AdminDep,
    now: NowDep,
) -> ActivityPublic:
    """Approve with points (the rule set's offer when left out) or reject with a reason."""
    by = admin.person or admin.label or "admin"
    reason = (body.reason or "").strip() or None
    try:
        row = await write(
            resources.engine,
            lambda s: activities.decide(
                s,
                str(activity),
                approve=body.approve,
                points=body.points,
                reason=reason,
                by=by,
                now=now,
            ),
        )
    except Refused as exc:
        raise exc.http() from exc
    async with AsyncSession(resources.engine) as session:
        grants = await _grants(session, [row])
    return public(row, grants.get(row.grant or ""))
