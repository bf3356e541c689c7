"""The use-case library (read by everyone signed in, edited by admins and champions),
"I tried this", and what to try next.

``GET /api/me/suggestions`` answers :class:`Suggestions` and ``GET /api/me/tries`` a
list of :class:`MyTry`; the employee page shows them as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.auth.principal import Principal, Role
from services.api.community import champions, library, suggestions, tries
from services.api.community.library import FUNCTIONS, ID_PATTERN, UseCase, UseCaseContent
from services.api.community.refusals import Refused
from services.api.community.responses import answers, retried
from services.api.community.transactions import write
from services.api.deps import EmployeeDep, ResourcesDep
from services.api.i18n import LangQuery
from services.api.resources import Resources
from services.api.text import OneLine
from shared.events import App, RecognitionKind
from shared.languages import Language
from shared.periods import local_date

router = APIRouter(tags=["community"], responses=answers(400, 401, 403, 413))

UseCasePath = Annotated[str, Path(pattern=ID_PATTERN, description="The use case's id")]


class UseCaseCreate(UseCaseContent):
    id: str = Field(pattern=ID_PATTERN, description="Lower-case letters, digits and dashes")


class UseCaseUpdate(UseCaseContent):
    version: int = Field(ge=1, description="The version this edit started from")


class UseCaseView(BaseModel):
    """A use case, in the language asked for and in every language (for editors)."""

    id: str
    version: int
    department: str | None
    function: str
    app: App
    kpi: str
    title: str
    description: str
    prompts: list[str]
    content: UseCaseContent = Field(description="Every language, as editors write it")
    deleted: bool = False
    points: int = Field(description="What a confirmed try earns")


class Suggestion(BaseModel):
    """A use case to try next."""

    id: str
    app: App
    title: str
    description: str
    kpi: str
    prompts: list[str]
    reason: Literal["new_app", "not_tried"] = Field(
        description="new_app: an app I have not used with Copilot yet"
    )
    tried: Literal["pending", "confirmed", "expired"] | None = None
    points: int = Field(description="What a confirmed try earns")


class Suggestions(BaseModel):
    apps_used: list[App] = Field(description="Apps I used Copilot in")
    suggestions: list[Suggestion]


class MyTry(BaseModel):
    """My latest try of a use case, and whether my usage confirmed it."""

    use_case: str
    app: App
    title: str
    tried_on: date
    status: Literal["pending", "confirmed", "expired"]
    confirmed_on: date | None = None
    confirm_by: date = Field(description="Usage up to this day confirms a pending try")


def view(row: UseCase, language: Language, points: int) -> UseCaseView:
    content = row.read()
    return UseCaseView(
        id=row.id,
        version=row.version,
        department=row.department,
        function=row.function,
        app=App(row.app),
        kpi=content.kpi.get(language),
        title=content.title.get(language),
        description=content.description.get(language),
        prompts=content.prompts.get(language),
        content=content,
        deleted=row.deleted,
        points=points,
    )


async def _points(session: AsyncSession) -> int:
    return (await recognition.current_rules(session)).points(RecognitionKind.USE_CASE)


async def _view(resources: Resources, row: UseCase, lang: Language | None) -> UseCaseView:
    async with AsyncSession(resources.engine) as session:
        points = await _points(session)
    return view(row, _language(resources, lang), points)


def _language(resources: Resources, lang: Language | None) -> Language:
    return lang or resources.settings.api_default_lang


def _today(resources: Resources) -> date:
    return local_date(datetime.now(UTC), resources.settings.tz)


async def _may_edit(session: AsyncSession, editor: Principal, department: str | None) -> bool:
    if editor.has(Role.ADMIN):
        return True
    if editor.person is None:
        return False
    return await champions.is_champion_of(session, editor.person, department)


@router.get("/api/usecases", response_model=list[UseCaseView])
async def list_use_cases(
    resources: ResourcesDep,
    _: EmployeeDep,
    department: Annotated[OneLine | None, Query(max_length=256)] = None,
    app: App | None = None,
    function: Annotated[str | None, Query(pattern=f"^({'|'.join(FUNCTIONS)})$")] = None,
    lang: LangQuery = None,
) -> list[UseCaseView]:
    """The library; with a department, its own use cases and those for everyone."""
    async with AsyncSession(resources.engine) as session:
        rows = await library.listing(session, department=department, app=app, function=function)
        points = await _points(session)
    return [view(row, _language(resources, lang), points) for row in rows]


@router.post(
    "/api/usecases",
    response_model=UseCaseView,
    status_code=status.HTTP_201_CREATED,
    responses=answers(400, 409, 413) | retried(UseCaseView),
)
async def create_use_case(
    body: UseCaseCreate,
    response: Response,
    resources: ResourcesDep,
    me: EmployeeDep,
    lang: LangQuery = None,
) -> UseCaseView:
    """Add a use case (an admin, or a champion: of its department when it has one)."""
    assert me.person is not None
    editor = me.person
    content = UseCaseContent.model_validate(body.model_dump(exclude={"id"}))

    async def work(session: AsyncSession) -> tuple[UseCase, bool]:
        if not await _may_edit(session, me, content.department):
            raise Refused(403, "only admins and champions edit the library")
        return await library.create(session, body.id, content, editor)

    try:
        row, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return await _view(resources, row, lang)


@router.put(
    "/api/usecases/{use_case}", response_model=UseCaseView, responses=answers(400, 404, 409, 413)
)
async def update_use_case(
    use_case: UseCasePath,
    body: UseCaseUpdate,
    resources: ResourcesDep,
    me: EmployeeDep,
    lang: LangQuery = None,
) -> UseCaseView:
    """Edit a use case: the next version, made from the version named in the body."""
    assert me.person is not None
    editor = me.person
    content = UseCaseContent.model_validate(body.model_dump(exclude={"version"}))

    async def work(session: AsyncSession) -> UseCase:
        current = await library.find(session, use_case)
        departments = {content.department, current.department if current else None}
        for department in departments:
            if not await _may_edit(session, me, department):
                raise Refused(403, "only admins and champions edit the library")
        return await library.update(session, use_case, content, body.version, editor)

    try:
        row = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    return await _view(resources, row, lang)


@router.delete("/api/usecases/{use_case}", response_model=UseCaseView, responses=answers(404))
async def delete_use_case(
    use_case: UseCasePath, resources: ResourcesDep, me: EmployeeDep, lang: LangQuery = None
) -> UseCaseView:
    """Take a use case out of the library; its versions stay."""
    assert me.person is not None
    editor = me.person

    async def work(session: AsyncSession) -> UseCase:
        current = await session.get(UseCase, use_case)
        if not await _may_edit(session, me, current.department if current else None):
            raise Refused(403, "only admins and champions edit the library")
        return await library.delete(session, use_case, editor)

    try:
        row = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    return await _view(resources, row, lang)


@router.post(
    "/api/usecases/{use_case}/tried",
    response_model=MyTry,
    status_code=status.HTTP_201_CREATED,
    responses=answers(404) | retried(MyTry),
)
async def tried_use_case(
    use_case: UseCasePath,
    response: Response,
    resources: ResourcesDep,
    me: EmployeeDep,
    lang: LangQuery = None,
) -> MyTry:
    """I tried this today: confirmed (and rewarded once) when my usage of its app shows it."""
    assert me.person is not None
    person = me.person
    today = _today(resources)

    async def work(session: AsyncSession) -> tuple[tries.UseCaseTry, bool]:
        return await tries.record(session, person=person, use_case=use_case, today=today)

    try:
        _, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    language = _language(resources, lang)
    await tries.confirm_person(resources.engine, person, today, language)
    found = [
        t for t in await _my_tries(resources, person, today, language) if t.use_case == use_case
    ]
    return found[0]


async def _my_tries(
    resources: Resources, person: str, today: date, language: Language
) -> list[MyTry]:
    async with AsyncSession(resources.engine) as session:
        rows = await tries.tries_of(session, person)
        status_of = await suggestions.try_status(session, person, today)
        titles = await library.titles(session, {r.use_case for r in rows}, language)
    return [
        MyTry(
            use_case=row.use_case,
            app=App(row.app),
            title=titles.get(row.use_case, row.use_case),
            tried_on=row.tried_on,
            status=status_of.get(row.use_case, "pending"),
            confirmed_on=row.confirmed_on,
            confirm_by=tries.window_end(row.tried_on),
        )
        for row in rows
    ]


@router.get("/api/me/tries", response_model=list[MyTry])
async def my_tries(resources: ResourcesDep, me: EmployeeDep, lang: LangQuery = None) -> list[MyTry]:
    """The use cases I tried, newest first; open ones are confirmed first if usage shows."""
    assert me.person is not None
    today = _today(resources)
    language = _language(resources, lang)
    await tries.confirm_person(resources.engine, me.person, today, language)
    return await _my_tries(resources, me.person, today, language)


@router.get("/api/me/suggestions", response_model=Suggestions)
async def my_suggestions(
    resources: ResourcesDep,
    me: EmployeeDep,
    lang: LangQuery = None,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
) -> Suggestions:
    """What to try next: use cases in apps I have not used Copilot in yet."""
    assert me.person is not None
    language = _language(resources, lang)
    async with AsyncSession(resources.engine) as session:
        used, picked = await suggestions.suggest(session, me.person, _today(resources), limit)
        points = await _points(session)
    known = {app.value for app in App}
    return Suggestions(
        apps_used=sorted(App(a) for a in used if a in known),
        suggestions=[
            Suggestion(
                id=s.use_case.id,
                app=App(s.use_case.app),
                title=s.use_case.read().title.get(language),
                description=s.use_case.read().description.get(language),
                kpi=s.use_case.read().kpi.get(language),
                prompts=s.use_case.read().prompts.get(language),
                reason=s.reason,
                tried=s.tried,
                points=points,
            )
            for s in picked
        ],
    )
