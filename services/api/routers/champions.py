"""Champions: who can help me, applying and nominating, admins' decisions, the dashboard, tips.

Every signed-in colleague sees the approved champions of a department (names only where
allowed), applies, or nominates a colleague (found with ``GET /api/people/search``).
Admins approve, reject (with a reason) or retire. Approved champions see their
departments in aggregates and send a department a tip from the use-case library. The
``/champions`` page does all of this in the browser.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions import membership, tips
from services.api.champions.access import ChampionDep
from services.api.champions.clock import NowDep
from services.api.champions.dashboard import Dashboard, dashboard
from services.api.champions.errors import Refused, invalid
from services.api.champions.report import ProgrammeReport, report
from services.api.champions.roster import DepartmentChampions, approved, roster
from services.api.champions.store import write
from services.api.champions.tables import Champion, Tip, as_utc
from services.api.champions.texts import champion_texts
from services.api.champions.use_cases import for_tip
from services.api.community import library
from services.api.community.responses import answers
from services.api.deps import AdminDep, EmployeeDep, ResourcesDep
from services.api.directory import Snapshot
from services.api.i18n import LangQuery, page_texts
from services.api.insights import Options
from services.api.routers.screen import templates
from services.api.text import Document, OneLine
from shared.events import App
from shared.people import Person
from shared.periods import local_date

router = APIRouter(tags=["champions"], responses=answers(400, 401, 403))

Department = Annotated[OneLine, Field(min_length=1, max_length=256)]
Departments = Annotated[list[Department], Field(max_length=10)]
Apps = Annotated[list[App], Field(max_length=len(App))]
PersonId = Annotated[str, Field(pattern=r"^p-[0-9a-f]{8,60}$", description="A pseudonym (p-...)")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationBody(Strict):
    id: UUID = Field(description="Made by the client; a retry with the same id is no new one")
    departments: Departments = Field(
        default=[], description="Departments to champion; none: your own department"
    )
    apps: Apps = Field(default=[], description="Apps you can help with")
    motivation: Document = Field(default="", max_length=1000)


class NominationBody(ApplicationBody):
    person: PersonId = Field(description="The colleague nominated (from /api/people/search)")


class WithdrawBody(Strict):
    reason: Document | None = Field(default=None, max_length=500)


class DecisionBody(Strict):
    status: Literal["approved", "rejected", "retired"]
    reason: Document | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> DecisionBody:
        if self.status == "rejected" and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason")
        return self


class ChampionPublic(BaseModel):
    """A champion record as its owner (or an admin) sees it."""

    person: str
    status: Literal["pending", "approved", "rejected", "retired"]
    departments: list[str]
    apps: list[str]
    motivation: str
    nominated: bool = Field(description="A colleague nominated this person")
    applied_at: datetime
    changed_at: datetime
    reason: str | None
    version: int


class ChampionForAdmin(ChampionPublic):
    name: str | None = Field(description="The directory's name, as the address book shows it")
    home_department: str | None = Field(description="The department the person works in")


class NominationResult(BaseModel):
    person: str
    status: Literal["pending", "approved", "rejected", "retired"]


class Roster(BaseModel):
    departments: list[DepartmentChampions]
    all_departments: list[str] = Field(description="Every department, to apply or pick from")
    my_department: str | None = Field(default=None, description="The caller's own department")


class UseCaseChoice(BaseModel):
    id: str
    app: str
    title: str = Field(description="In the language asked for")


class TipBody(Strict):
    id: UUID
    department: Department
    use_case: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="A library use case")


class TipPublic(BaseModel):
    id: str
    department: str
    use_case: str
    app: str
    titles: dict[str, str]
    sent_at: datetime
    left_today: int = Field(description="Tips this department may still receive today")


def public(row: Champion) -> ChampionPublic:
    return ChampionPublic(
        person=row.person,
        status=row.status,
        departments=list(row.departments),
        apps=list(row.apps),
        motivation=row.motivation,
        nominated=row.nominated_by is not None,
        applied_at=as_utc(row.applied_at),
        changed_at=as_utc(row.changed_at),
        reason=row.reason,
        version=row.version,
    )


def _known_departments(snapshot: Snapshot) -> set[str]:
    return {department for _, department in snapshot.placed.values() if department}


async def _application(
    body: ApplicationBody, person: str, nominated_by: str | None, resources: ResourcesDep
) -> membership.Application:
    snapshot = await resources.directory.snapshot()
    departments = list(dict.fromkeys(body.departments))
    if not departments:
        own = snapshot.placed.get(person, (None, None))[1]
        if own is None:
            raise invalid("name the departments to champion", "departments")
        departments = [own]
    unknown = sorted(set(departments) - _known_departments(snapshot))
    if unknown:
        raise invalid(f"no such department: {', '.join(unknown)}", "departments")
    return membership.Application(
        id=str(body.id),
        person=person,
        departments=tuple(departments),
        apps=tuple(dict.fromkeys(body.apps)),
        motivation=body.motivation.strip(),
        nominated_by=nominated_by,
    )


@router.get("/api/champions", response_model=Roster)
async def who_can_help(
    resources: ResourcesDep,
    me: EmployeeDep,
    department: Annotated[Department | None, Query(description="One department")] = None,
) -> Roster:
    """Approved champions per department: named where allowed, the others counted."""
    async with AsyncSession(resources.engine) as session:
        champions = await approved(session)
    snapshot = await resources.directory.snapshot()
    return Roster(
        departments=roster(champions, snapshot, me.person, department),
        all_departments=sorted(_known_departments(snapshot)),
        my_department=snapshot.placed.get(me.person or "", (None, None))[1],
    )


@router.get("/api/champions/me", response_model=ChampionPublic | None)
async def my_champion_status(resources: ResourcesDep, me: EmployeeDep) -> ChampionPublic | None:
    """My application or champion status; null when I never applied nor was nominated."""
    assert me.person is not None
    async with AsyncSession(resources.engine) as session:
        row = await session.get(Champion, me.person)
    return None if row is None else public(row)


@router.post(
    "/api/champions/apply",
    response_model=ChampionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=answers(404, 409, 413),
)
async def apply(
    body: ApplicationBody, response: Response, resources: ResourcesDep, me: EmployeeDep, now: NowDep
) -> ChampionPublic:
    """Apply to be a champion (pending until an admin decides); 200 when nothing changed."""
    assert me.person is not None
    application = await _application(body, me.person, None, resources)
    try:
        row, changed = await write(
            resources.engine, lambda s: membership.apply(s, application, now)
        )
    except Refused as exc:
        raise exc.http() from exc
    if not changed:
        response.status_code = status.HTTP_200_OK
    return public(row)


@router.post(
    "/api/champions/nominations",
    response_model=NominationResult,
    status_code=status.HTTP_201_CREATED,
    responses=answers(404, 409, 413),
)
async def nominate(
    body: NominationBody,
    response: Response,
    resources: ResourcesDep,
    me: EmployeeDep,
    now: NowDep,
) -> NominationResult:
    """Nominate a colleague as champion (pending until an admin decides)."""
    assert me.person is not None
    if body.person == me.person:
        raise invalid("apply instead of nominating yourself", "person")
    async with AsyncSession(resources.engine) as session:
        nominee = await session.get(Person, body.person)
    if nominee is None or nominee.removed:
        raise HTTPException(404, "no such colleague in the directory")
    application = await _application(body, body.person, me.person, resources)
    try:
        row, changed = await write(
            resources.engine, lambda s: membership.apply(s, application, now)
        )
    except Refused as exc:
        raise exc.http() from exc
    if not changed:
        response.status_code = status.HTTP_200_OK
    return NominationResult(person=row.person, status=row.status)


@router.post("/api/champions/me/withdraw", response_model=ChampionPublic, responses=answers(404))
async def withdraw(
    body: WithdrawBody, resources: ResourcesDep, me: EmployeeDep, now: NowDep
) -> ChampionPublic:
    """Step down as champion, or withdraw an application (retired)."""
    assert me.person is not None
    person = me.person
    reason = (body.reason or "").strip() or None
    try:
        row = await write(
            resources.engine, lambda s: membership.withdraw(s, person, reason=reason, now=now)
        )
    except Refused as exc:
        raise exc.http() from exc
    return public(row)


@router.get("/api/admin/champions", response_model=list[ChampionForAdmin])
async def champions_for_admin(
    resources: ResourcesDep,
    _: AdminDep,
    status_: Annotated[
        Literal["pending", "approved", "rejected", "retired"] | None, Query(alias="status")
    ] = None,
) -> list[ChampionForAdmin]:
    """Applications and champions, oldest application first (filter by status)."""
    async with AsyncSession(resources.engine) as session:
        query = select(Champion).order_by(col(Champion.applied_at), col(Champion.person))
        if status_ is not None:
            query = query.where(col(Champion.status) == status_)
        rows = list((await session.exec(query)).all())
        people = {
            p.person: p
            for p in (
                await session.exec(
                    select(Person).where(col(Person.person).in_([r.person for r in rows]))
                )
            ).all()
        }
    return [
        ChampionForAdmin(
            **public(row).model_dump(),
            name=people[row.person].display_name if row.person in people else None,
            home_department=people[row.person].department if row.person in people else None,
        )
        for row in rows
    ]


@router.get("/api/admin/champions/report", response_model=ProgrammeReport)
async def programme_report(
    resources: ResourcesDep,
    _: AdminDep,
    now: NowDep,
    since: Annotated[
        date | None, Query(description="From this day (events, activities, points)")
    ] = None,
    until: Annotated[date | None, Query(description="Up to this day, included")] = None,
) -> ProgrammeReport:
    """The programme in numbers: champions, events held, attendance, activities, points."""
    async with AsyncSession(resources.engine) as session:
        return await report(session, now, since, until)


@router.post(
    "/api/admin/champions/{person}/decision",
    response_model=ChampionPublic,
    responses=answers(404, 409, 413),
)
async def decide(
    person: Annotated[str, Path(pattern=r"^p-[0-9a-f]{8,60}$")],
    body: DecisionBody,
    resources: ResourcesDep,
    admin: AdminDep,
    now: NowDep,
) -> ChampionPublic:
    """Approve, reject (a reason is required) or retire; the same decision again is a no-op."""
    by = admin.person or admin.label or "admin"
    reason = (body.reason or "").strip() or None
    try:
        row = await write(
            resources.engine,
            lambda s: membership.decide(s, person, body.status, reason=reason, by=by, now=now),
        )
    except Refused as exc:
        raise exc.http() from exc
    return public(row)


@router.get("/api/champions/dashboard", response_model=Dashboard)
async def champion_dashboard(
    resources: ResourcesDep,
    champion: ChampionDep,
    now: NowDep,
    department: Annotated[list[Department] | None, Query(max_length=50)] = None,
) -> Dashboard:
    """My departments in aggregates: active rate, weekly trend, apps used and unused."""
    settings = resources.settings
    asked = list(dict.fromkeys(department or champion.departments))
    if not asked and champion.admin:
        asked = sorted(_known_departments(await resources.directory.snapshot()))
    outside = [d for d in asked if not champion.serves(d)]
    if outside:
        raise HTTPException(403, f"you are not a champion of {', '.join(outside)}")
    return await dashboard(
        resources.engine,
        resources.directory,
        resources.insights,
        asked,
        local_date(now, settings.tz),
        Options(settings.min_group_size, settings.api_minutes_saved_per_action),
    )


@router.get("/api/champions/tips/use-cases", response_model=list[UseCaseChoice])
async def tip_use_cases(
    resources: ResourcesDep,
    champion: ChampionDep,
    department: Annotated[Department, Query()],
    lang: LangQuery = None,
) -> list[UseCaseChoice]:
    """The library's use cases a tip to ``department`` may tell."""
    if not champion.serves(department):
        raise HTTPException(403, "you are not a champion of this department")
    language = lang or resources.settings.api_default_lang
    async with AsyncSession(resources.engine) as session:
        rows = await library.listing(session, department=department)
    return [
        UseCaseChoice(id=row.id, app=row.app, title=row.read().title.get(language)) for row in rows
    ]


@router.post(
    "/api/champions/tips",
    response_model=TipPublic,
    status_code=status.HTTP_201_CREATED,
    responses=answers(404, 409, 413, 429),
)
async def send_tip(
    body: TipBody, response: Response, resources: ResourcesDep, champion: ChampionDep, now: NowDep
) -> TipPublic:
    """Send a use case to a department's channel (a few a day per department)."""
    settings = resources.settings
    day = local_date(now, settings.tz)
    per_day = settings.api_champion_tips_per_day

    async def work(session: AsyncSession) -> tuple[Tip, bool, int]:
        existing = await session.get(Tip, str(body.id))
        use_case = (
            tips.UseCase(existing.use_case, App(existing.app), existing.titles)
            if existing is not None
            else await for_tip(session, body.use_case, body.department)
        )
        row, created = await tips.send(
            session,
            champion,
            tip=str(body.id),
            department=body.department,
            use_case=use_case,
            day=day,
            now=now,
            tz=settings.tz,
            per_day=per_day,
        )
        return row, created, await tips.sent_today(session, row.department, row.day)

    try:
        row, created, sent = await write(resources.engine, work)
    except Refused as exc:
        raise exc.http() from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    return TipPublic(
        id=row.id,
        department=row.department,
        use_case=row.use_case,
        app=row.app,
        titles=dict(row.titles),
        sent_at=as_utc(row.sent_at),
        left_today=max(0, per_day - sent) if row.day == day else per_day,
    )


def _page(request: Request, name: str, resources: ResourcesDep, lang: LangQuery) -> HTMLResponse:
    language = lang or resources.settings.api_default_lang
    texts = page_texts(language) | champion_texts(language)
    return templates.TemplateResponse(
        request, name, {"lang": language, "t": texts, "texts": json.dumps(texts)}
    )


@router.get("/champions", response_class=HTMLResponse, tags=["pages"])
async def champions_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Who can help me; applying and nominating; a champion's dashboard, events and tips."""
    return _page(request, "champions.html", resources, lang)


@router.get("/champions/checkin", response_class=HTMLResponse, tags=["pages"])
async def checkin_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Check in at a champion event with its code (the QR code leads here, filled in)."""
    return _page(request, "champions.html", resources, lang)
