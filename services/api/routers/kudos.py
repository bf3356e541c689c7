"""Peer kudos: give one, see mine (received and given, with what is left this month),
hide a message I received.

``GET /api/me/kudos`` answers :class:`MyKudos`; the employee page shows it as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import kudos
from services.api.community.kudos import MAX_MESSAGE, Kudos, KudosRules, KudosValue
from services.api.community.names import PersonLabel, label
from services.api.community.refusals import Refused
from services.api.community.responses import answers, retried
from services.api.community.transactions import write
from services.api.deps import EmployeeDep, ResourcesDep
from services.api.directory import Snapshot
from services.api.resources import Resources
from services.api.text import OneLine
from shared.periods import local_date, month_key

router = APIRouter(tags=["community"], responses=answers(400, 401, 403, 413))

PersonId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class KudosCreate(BaseModel):
    id: UUID = Field(description="Chosen by the client; a retry with the same id is the same")
    to: PersonId = Field(description="The colleague's person id, from /api/people/search")
    value: KudosValue
    message: OneLine = Field(default="", max_length=MAX_MESSAGE)


class KudosSent(BaseModel):
    """A kudos I gave."""

    id: str
    value: KudosValue
    message: str | None = Field(description="None once the receiver hid it")
    day: date
    receiver: PersonLabel


class KudosReceived(BaseModel):
    """A kudos I received; only I see a message I hid."""

    id: str
    value: KudosValue
    message: str
    hidden: bool
    day: date
    giver: PersonLabel


class MyKudos(BaseModel):
    """What I received and gave, and what is left of this month's allowance."""

    month: str = Field(description="This calendar month in the organisation's time zone")
    allowance: int = Field(description="Kudos a person may give per month")
    given_this_month: int
    remaining: int
    renews_on: date = Field(description="When a new allowance starts; unused ones lapse")
    values: list[KudosValue] = Field(description="The values a kudos may be given for")
    received: list[KudosReceived]
    given: list[KudosSent]


class Hidden(BaseModel):
    hidden: bool


def rules_of(resources: Resources) -> KudosRules:
    settings = resources.settings
    return KudosRules(
        settings.api_kudos_per_month, settings.api_kudos_per_minute, settings.api_kudos_per_day
    )


def sent(row: Kudos, snapshot: Snapshot, min_size: int) -> KudosSent:
    return KudosSent(
        id=row.id,
        value=KudosValue(row.value),
        message=None if row.hidden else row.message,
        day=row.day,
        receiver=label(snapshot, row.receiver, min_size),
    )


@router.post(
    "/api/kudos",
    response_model=KudosSent,
    status_code=status.HTTP_201_CREATED,
    responses=answers(400, 404, 409, 413, 429) | retried(KudosSent),
)
async def give_kudos(
    body: KudosCreate, response: Response, resources: ResourcesDep, me: EmployeeDep
) -> KudosSent:
    """Thank a colleague: one of this month's allowance; 200 for a retry of the same kudos."""
    assert me.person is not None
    giver = me.person

    async def work(session: AsyncSession) -> tuple[Kudos, bool]:
        return await kudos.give(
            session,
            kudos_id=str(body.id),
            giver=giver,
            receiver=body.to,
            value=body.value,
            message=body.message.strip(),
            now=datetime.now(UTC),
            tz=resources.settings.tz,
            rules=rules_of(resources),
        )

    try:
        row, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    snapshot = await resources.directory.snapshot()
    return sent(row, snapshot, resources.settings.min_group_size)


@router.get("/api/me/kudos", response_model=MyKudos)
async def my_kudos(
    resources: ResourcesDep,
    me: EmployeeDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Most recent of each")] = 50,
) -> MyKudos:
    """Kudos I received and gave, newest first, and my allowance left this month."""
    assert me.person is not None
    settings = resources.settings
    today = local_date(datetime.now(UTC), settings.tz)
    month = month_key(today)
    async with AsyncSession(resources.engine) as session:
        received = await kudos.received_by(session, me.person, limit)
        given = await kudos.given_by(session, me.person, limit)
        used = await kudos.given_in_month(session, me.person, month)
    snapshot = await resources.directory.snapshot()
    size = settings.min_group_size
    return MyKudos(
        month=month,
        allowance=settings.api_kudos_per_month,
        given_this_month=used,
        remaining=max(0, settings.api_kudos_per_month - used),
        renews_on=kudos.next_month(today),
        values=list(KudosValue),
        received=[
            KudosReceived(
                id=row.id,
                value=KudosValue(row.value),
                message=row.message,
                hidden=row.hidden,
                day=row.day,
                giver=label(snapshot, row.giver, size),
            )
            for row in received
        ],
        given=[sent(row, snapshot, size) for row in given],
    )


@router.put("/api/me/kudos/{kudos_id}/hidden", response_model=Hidden, responses=answers(404, 413))
async def hide_kudos(
    kudos_id: Annotated[UUID, Path()], body: Hidden, resources: ResourcesDep, me: EmployeeDep
) -> Hidden:
    """Hide (or show again) the message of a kudos I received, for everyone else."""
    assert me.person is not None
    receiver = me.person

    async def work(session: AsyncSession) -> Kudos:
        return await kudos.set_hidden(
            session, kudos_id=str(kudos_id), receiver=receiver, hidden=body.hidden
        )

    try:
        row = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    return Hidden(hidden=row.hidden)
