"""Champion events (lunch & learn, office hours, prompt-a-thon) and checking in at them.

A champion creates an event; while it runs (from 10 minutes before its start until
15 minutes after its end) the host sees a check-in code that changes every 3 minutes,
with a QR code leading to ``/champions/checkin?event=..&code=..``. Attendees who are
signed in check in with the code and earn points; the host earns points once, with the
first attendee.

Office screens holding a display token read the codes of the events that chose them:

``GET /api/screen/checkin`` (display token only) answers, and keeps answering in this
shape::

    {
      "generated_at": "2026-12-01T11:58:02Z",
      "refresh_seconds": 20,          // ask again after this long
      "events": [                     // running events that chose this screen, by start
        {
          "id": "5b0c...-uuid",
          "title": "Lunch & learn: Copilot in Excel",
          "format": "lunch_and_learn",  // lunch_and_learn | office_hours | promptathon
          "location": "Room 3.12",      // may be ""
          "starts_at": "2026-12-01T11:30:00Z",
          "ends_at": "2026-12-01T12:30:00Z",
          "code": "K7MPQ3",             // 6 characters, no 0/O/1/I/L
          "rotates_at": "2026-12-01T12:00:00Z",  // a new code from then on
          "url": "https://uptake.example/champions/checkin?event=...&code=K7MPQ3",
          "qr_svg": "<svg ...>...</svg>",        // the url as a QR code, scales to its box
          "qr_data_uri": "data:image/svg+xml,..."  // the same, for <img src>
        }
      ]
    }

An empty ``events`` list means there is nothing to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.auth.display import DisplayToken, digest
from services.api.auth.guard import credentials, unauthorized
from services.api.auth.principal import Principal, Role
from services.api.champions import checkins, codes, events
from services.api.champions.access import ChampionDep
from services.api.champions.clock import NowDep
from services.api.champions.errors import Refused
from services.api.champions.store import write
from services.api.champions.tables import ChampionEvent, Checkin, as_utc
from services.api.community.responses import answers
from services.api.deps import EmployeeDep, PrincipalDep, ResourcesDep
from services.api.directory import Snapshot
from services.api.text import Document, OneLine

router = APIRouter(tags=["champions"], responses=answers(400, 401, 403))

EventId = Annotated[UUID, Path(description="The event's id")]
Title = Annotated[OneLine, Field(min_length=1, max_length=200)]
Department = Annotated[OneLine, Field(min_length=1, max_length=256)]
Departments = Annotated[list[Department], Field(max_length=20)]
Screens = Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=20)]
Format = Literal["lunch_and_learn", "office_hours", "promptathon"]
SCREEN_REFRESH_SECONDS = 20


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventBody(Strict):
    id: UUID = Field(description="Made by the client; a retry with the same id is no new one")
    title: Title
    format: Format
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="At most 8 hours after the start")
    departments: Departments = Field(default=[], description="None: for everyone")
    screens: Screens = Field(default=[], description="Office screens that show the code")
    description: Document = Field(default="", max_length=2000)
    location: OneLine = Field(default="", max_length=200)


class EventChanges(Strict):
    title: Title | None = None
    format: Format | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    departments: Departments | None = None
    screens: Screens | None = None
    description: Document | None = Field(default=None, max_length=2000)
    location: OneLine | None = Field(default=None, max_length=200)
    version: int | None = Field(default=None, ge=1, description="The version you changed")


class EventPublic(BaseModel):
    id: str
    title: str
    format: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    departments: list[str]
    host_name: str | None = Field(description="The host, when their name may be shown")
    mine: bool = Field(description="I host this event")
    cancelled: bool
    version: int
    open: bool = Field(description="Check-in is open now")
    checked_in: bool = Field(description="I have checked in")
    screens: list[int] | None = Field(default=None, description="For the host and admins")
    attendees: int | None = Field(default=None, description="For the host and admins")


class CheckinCode(BaseModel):
    event: str
    code: str
    rotates_at: datetime
    url: str
    qr_svg: str
    qr_data_uri: str


class CheckinBody(Strict):
    code: str = Field(min_length=1, max_length=20)


class AttendancePublic(BaseModel):
    event: str
    title: str
    checked_in_at: datetime
    points: int
    revoked: bool = Field(default=False, description="The points were withdrawn since")


class ScreenPublic(BaseModel):
    id: int
    label: str


class ScreenEvent(CheckinCode):
    id: str
    title: str
    format: str
    location: str
    starts_at: datetime
    ends_at: datetime


class ScreenCheckin(BaseModel):
    generated_at: datetime
    refresh_seconds: int
    events: list[ScreenEvent]


def _manages(principal: Principal, row: ChampionEvent) -> bool:
    return principal.person == row.host or principal.has(Role.ADMIN)


def public(
    row: ChampionEvent,
    principal: Principal,
    snapshot: Snapshot,
    now: datetime,
    *,
    attendees: int | None = None,
    checked_in: bool = False,
) -> EventPublic:
    manages = _manages(principal, row)
    starts, ends = as_utc(row.starts_at), as_utc(row.ends_at)
    return EventPublic(
        id=row.id,
        title=row.title,
        format=row.format,
        description=row.description,
        location=row.location,
        starts_at=starts,
        ends_at=ends,
        departments=list(row.departments),
        host_name=snapshot.name_of(row.host),
        mine=principal.person == row.host,
        cancelled=row.cancelled,
        version=row.version,
        open=not row.cancelled and codes.is_open(starts, ends, now),
        checked_in=checked_in,
        screens=list(row.screens) if manages else None,
        attendees=attendees if manages else None,
    )


async def _counts(session: AsyncSession, rows: list[ChampionEvent], person: str | None) -> Any:
    ids = [row.id for row in rows]
    if not ids:
        return {}, set()
    found = (await session.exec(select(Checkin).where(col(Checkin.event).in_(ids)))).all()
    counts: dict[str, int] = {}
    for checkin in found:
        counts[checkin.event] = counts.get(checkin.event, 0) + 1
    mine = {checkin.event for checkin in found if checkin.person == person}
    return counts, mine


@router.get("/api/champion-events", response_model=list[EventPublic])
async def list_events(
    resources: ResourcesDep,
    me: EmployeeDep,
    now: NowDep,
    when: Annotated[
        Literal["upcoming", "past", "mine"],
        Query(description="upcoming (and running), past, or those I host"),
    ] = "upcoming",
    department: Annotated[Department | None, Query()] = None,
) -> list[EventPublic]:
    """Events: running and upcoming ones first by start, past ones latest first."""
    query = select(ChampionEvent)
    horizon = now - codes.OPEN_AFTER
    if when == "upcoming":
        query = query.where(
            col(ChampionEvent.ends_at) >= horizon, col(ChampionEvent.cancelled).is_(False)
        ).order_by(col(ChampionEvent.starts_at))
    elif when == "past":
        query = query.where(
            col(ChampionEvent.ends_at) < horizon, col(ChampionEvent.cancelled).is_(False)
        ).order_by(col(ChampionEvent.starts_at).desc())
    else:
        query = query.where(col(ChampionEvent.host) == me.person).order_by(
            col(ChampionEvent.starts_at).desc()
        )
    async with AsyncSession(resources.engine) as session:
        rows = list((await session.exec(query.limit(200))).all())
        if department is not None:
            rows = [r for r in rows if not r.departments or department in r.departments]
        counts, mine = await _counts(session, rows, me.person)
    snapshot = await resources.directory.snapshot()
    return [
        public(r, me, snapshot, now, attendees=counts.get(r.id, 0), checked_in=r.id in mine)
        for r in rows
    ]


@router.post(
    "/api/champion-events",
    response_model=EventPublic,
    status_code=status.HTTP_201_CREATED,
    responses=answers(404, 409, 413),
)
async def create_event(
    body: EventBody, response: Response, resources: ResourcesDep, host: ChampionDep, now: NowDep
) -> EventPublic:
    """Plan an event (champions; admins too); 200 with the event when the id exists."""
    plan = events.Plan(
        title=body.title.strip(),
        format=body.format,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        departments=tuple(dict.fromkeys(body.departments)),
        screens=tuple(dict.fromkeys(body.screens)),
        description=body.description.strip(),
        location=body.location.strip(),
    )
    try:
        row, created = await write(
            resources.engine, lambda s: events.create(s, host, str(body.id), plan, now)
        )
    except Refused as exc:
        raise exc.http() from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    snapshot = await resources.directory.snapshot()
    async with AsyncSession(resources.engine) as session:
        count = await events.attendees(session, row.id)
    return public(row, host.principal, snapshot, now, attendees=count)


@router.get("/api/champion-events/screens", response_model=list[ScreenPublic])
async def list_screens(resources: ResourcesDep, _: ChampionDep) -> list[ScreenPublic]:
    """Office screens an event can show its check-in code on."""
    async with AsyncSession(resources.engine) as session:
        rows = await session.exec(
            select(DisplayToken)
            .where(col(DisplayToken.revoked_at).is_(None))
            .order_by(col(DisplayToken.label))
        )
        return [ScreenPublic(id=r.id or 0, label=r.label) for r in rows.all()]


@router.get("/api/champion-events/attended", response_model=list[AttendancePublic])
async def my_attendance(resources: ResourcesDep, me: EmployeeDep) -> list[AttendancePublic]:
    """Events I checked in at, with the points and whether they were withdrawn."""
    async with AsyncSession(resources.engine) as session:
        rows = list(
            (
                await session.exec(
                    select(Checkin)
                    .where(col(Checkin.person) == me.person)
                    .order_by(col(Checkin.at).desc())
                    .limit(200)
                )
            ).all()
        )
        titles = {
            event.id: event.title
            for event in (
                await session.exec(
                    select(ChampionEvent).where(col(ChampionEvent.id).in_([r.event for r in rows]))
                )
            ).all()
        }
        found = []
        for checkin in rows:
            grant = await recognition.find(session, checkin.grant)
            found.append(
                AttendancePublic(
                    event=checkin.event,
                    # an erased host's event is gone; the grant still says what it was
                    title=titles.get(checkin.event) or (grant.title if grant else ""),
                    checked_in_at=as_utc(checkin.at),
                    points=checkin.points,
                    revoked=grant is not None and grant.revoked_at is not None,
                )
            )
    return found


async def _event(resources: ResourcesDep, event: UUID) -> ChampionEvent:
    async with AsyncSession(resources.engine) as session:
        row = await session.get(ChampionEvent, str(event))
    if row is None:
        raise HTTPException(404, "no such event")
    return row


@router.get("/api/champion-events/{event}", response_model=EventPublic, responses=answers(404))
async def get_event(
    event: EventId, resources: ResourcesDep, me: EmployeeDep, now: NowDep
) -> EventPublic:
    """One event."""
    row = await _event(resources, event)
    async with AsyncSession(resources.engine) as session:
        counts, mine = await _counts(session, [row], me.person)
    snapshot = await resources.directory.snapshot()
    return public(
        row, me, snapshot, now, attendees=counts.get(row.id, 0), checked_in=row.id in mine
    )


@router.patch(
    "/api/champion-events/{event}", response_model=EventPublic, responses=answers(404, 409, 413)
)
async def change_event(
    event: EventId, body: EventChanges, resources: ResourcesDep, host: ChampionDep, now: NowDep
) -> EventPublic:
    """Change an event (its host or an admin); times stay once someone checked in."""
    changes: dict[str, object] = {
        name: value
        for name, value in body.model_dump(exclude_unset=True, exclude={"version"}).items()
        if value is not None
    }
    for name in ("departments", "screens"):
        if name in changes:
            changes[name] = tuple(dict.fromkeys(changes[name]))  # type: ignore[call-overload]
    for name in ("title", "description", "location"):
        if name in changes:
            changes[name] = str(changes[name]).strip()
    try:
        row = await write(
            resources.engine,
            lambda s: events.update(s, host, str(event), changes, version=body.version, now=now),
        )
    except Refused as exc:
        raise exc.http() from exc
    snapshot = await resources.directory.snapshot()
    async with AsyncSession(resources.engine) as session:
        count = await events.attendees(session, row.id)
    return public(row, host.principal, snapshot, now, attendees=count)


@router.delete(
    "/api/champion-events/{event}", response_model=EventPublic, responses=answers(404, 409)
)
async def cancel_event(
    event: EventId, resources: ResourcesDep, host: ChampionDep, now: NowDep
) -> EventPublic:
    """Cancel an event nobody checked in to (its host or an admin); again is a no-op."""
    try:
        row = await write(resources.engine, lambda s: events.cancel(s, host, str(event), now))
    except Refused as exc:
        raise exc.http() from exc
    snapshot = await resources.directory.snapshot()
    return public(row, host.principal, snapshot, now, attendees=0)


def _public_url(request: Request, resources: ResourcesDep) -> str:
    return resources.settings.api_public_url or str(request.base_url).rstrip("/")


def _code(row: ChampionEvent, public_url: str, now: datetime) -> CheckinCode:
    current = codes.current(row.secret, row.id, now)
    url = codes.checkin_url(public_url, row.id, current.code)
    qr = codes.qr(url)
    return CheckinCode(
        event=row.id,
        code=current.code,
        rotates_at=current.rotates_at,
        url=url,
        qr_svg=qr.svg,
        qr_data_uri=qr.data_uri,
    )


@router.get(
    "/api/champion-events/{event}/code", response_model=CheckinCode, responses=answers(404, 409)
)
async def checkin_code(
    event: EventId, request: Request, resources: ResourcesDep, host: ChampionDep, now: NowDep
) -> CheckinCode:
    """The check-in code now, its QR code and when it changes (the host or an admin)."""
    row = await _event(resources, event)
    if not _manages(host.principal, row):
        raise HTTPException(403, "only the host or an admin sees the check-in code")
    if row.cancelled or not codes.is_open(as_utc(row.starts_at), as_utc(row.ends_at), now):
        raise HTTPException(409, "check-in is not open now")
    return _code(row, _public_url(request, resources), now)


@router.post(
    "/api/champion-events/{event}/checkin",
    response_model=AttendancePublic,
    responses=answers(404, 409, 410, 413, 429),
)
async def check_in(
    event: EventId, body: CheckinBody, resources: ResourcesDep, me: EmployeeDep, now: NowDep
) -> AttendancePublic:
    """Check in with the event's code; checking in again answers the same, grants nothing."""
    assert me.person is not None
    person = me.person
    tz = resources.settings.tz
    try:
        outcome = await write(
            resources.engine,
            lambda s: checkins.check_in(
                s, event=str(event), person=person, code=body.code, now=now, tz=tz
            ),
        )
    except Refused as exc:
        raise exc.http() from exc
    if isinstance(outcome, Refused):
        raise outcome.http()
    return AttendancePublic(
        event=outcome.event,
        title=outcome.title,
        checked_in_at=outcome.checked_in_at,
        points=outcome.points,
    )


async def display_screen(request: Request, principal: PrincipalDep, resources: ResourcesDep) -> int:
    """The id of the caller's display token: only office screens read check-in codes."""
    if principal.kind == "anonymous":
        raise unauthorized("a display token is required")
    if principal.kind != "display":
        raise HTTPException(403, "only office screens read this")
    token = credentials(request)
    assert token is not None
    async with AsyncSession(resources.engine) as session:
        row = (
            await session.exec(select(DisplayToken).where(DisplayToken.token_hash == digest(token)))
        ).first()
    if row is None or row.id is None or row.revoked_at is not None:
        raise unauthorized("display token unknown or revoked")
    return row.id


@router.get("/api/screen/checkin", response_model=ScreenCheckin, tags=["screen"])
async def screen_checkin(
    request: Request,
    resources: ResourcesDep,
    screen: Annotated[int, Depends(display_screen)],
    now: NowDep,
) -> ScreenCheckin:
    """Check-in codes and QR codes of the running events that chose this screen."""
    window = (now - codes.OPEN_AFTER, now + codes.OPEN_BEFORE)
    async with AsyncSession(resources.engine) as session:
        rows = (
            await session.exec(
                select(ChampionEvent)
                .where(
                    col(ChampionEvent.cancelled).is_(False),
                    col(ChampionEvent.starts_at) <= window[1],
                    col(ChampionEvent.ends_at) >= window[0],
                )
                .order_by(col(ChampionEvent.starts_at))
            )
        ).all()
    public_url = _public_url(request, resources)
    shown = []
    for row in rows:
        if screen not in row.screens:
            continue
        code = _code(row, public_url, now)
        shown.append(
            ScreenEvent(
                **code.model_dump(),
                id=row.id,
                title=row.title,
                format=row.format,
                location=row.location,
                starts_at=as_utc(row.starts_at),
                ends_at=as_utc(row.ends_at),
            )
        )
    return ScreenCheckin(generated_at=now, refresh_seconds=SCREEN_REFRESH_SECONDS, events=shown)
