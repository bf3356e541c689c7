"""Success stories: submit, moderate, read, withdraw; and minutes saved per department.

Answers other pages and screens rely on, kept stable:

- ``GET /api/screen/stories`` (the office screen's new-stories view; public like the
  boards, or with a display token) answers :class:`ScreenStories`::

      {"stories": [{"id": "…", "app": "teams", "use_case": "teams-meeting-recap",
                    "use_case_title": "Meeting recap with action items in Teams",
                    "minutes_saved": 30, "text": "…", "author": "An Peeters",
                    "department": "Sales", "approved_at": "2026-11-20T09:00:00Z"}],
       "generated_at": "2026-11-20T09:00:05Z"}

  the latest approved first; ``author`` is null unless the author chose to be named,
  ``department`` null when it has too few licensed members to be shown,
  ``use_case``/``use_case_title`` null when the story names no use case (the title in
  ``?lang=``, else ``API_DEFAULT_LANG``).
- ``GET /api/stories`` answers a list of the same :class:`StoryPublic` entries.
- ``GET /api/me/stories`` answers a list of :class:`MyStory`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field, model_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.principal import Role
from services.api.community import champions, library, stories
from services.api.community.library import ID_PATTERN
from services.api.community.names import department_shown
from services.api.community.refusals import Refused
from services.api.community.responses import answers, retried
from services.api.community.stories import MAX_MINUTES, MAX_TEXT, Story, StoryStatus
from services.api.community.transactions import write
from services.api.deps import BoardReaderDep, EmployeeDep, InsightsDep, ResourcesDep
from services.api.directory import Snapshot
from services.api.i18n import LangQuery
from services.api.resources import Resources
from services.api.text import Document, OneLine
from shared.events import App
from shared.languages import Language
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import local_date

router = APIRouter(tags=["community"], responses=answers(400, 401, 403, 413))

StoryPath = Annotated[UUID, Path(description="The story's id")]


class StoryCreate(BaseModel):
    id: UUID = Field(description="Chosen by the client; a retry with the same id is the same")
    app: App
    use_case: str | None = Field(default=None, pattern=ID_PATTERN, description="A library id")
    minutes_saved: int = Field(ge=1, le=MAX_MINUTES)
    text: Document = Field(min_length=1, max_length=MAX_TEXT)
    named: bool = Field(default=False, description="Show my name with the story")
    post_to_engage: bool = Field(default=False, description="May be posted to Viva Engage")


class Decision(BaseModel):
    decision: Literal["approve", "reject"]
    reason: OneLine | None = Field(default=None, max_length=500, description="Needed to reject")

    @model_validator(mode="after")
    def _reason_to_reject(self) -> Decision:
        if self.decision == "reject" and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason")
        return self


class StoryPublic(BaseModel):
    """An approved story as colleagues and screens see it."""

    id: str
    app: App
    use_case: str | None
    use_case_title: str | None
    minutes_saved: int
    text: str
    author: str | None = Field(description="The author's name, only when they chose it")
    department: str | None = Field(description="Only when big enough to be shown")
    approved_at: datetime


class ScreenStories(BaseModel):
    """The latest approved stories, for the office screen."""

    stories: list[StoryPublic]
    generated_at: datetime


class MyStory(BaseModel):
    """A story I wrote, and where it stands."""

    id: str
    app: App
    use_case: str | None
    use_case_title: str | None
    minutes_saved: int
    text: str
    named: bool
    post_to_engage: bool
    status: StoryStatus
    reason: str | None = Field(description="Why it was rejected")
    submitted_at: datetime
    decided_at: datetime | None
    approved_at: datetime | None


class QueuedStory(BaseModel):
    """A story awaiting my decision."""

    id: str
    app: App
    use_case: str | None
    use_case_title: str | None
    minutes_saved: int
    text: str
    named: bool
    author: str | None = Field(description="The author's name, only when they chose it")
    department: str | None
    post_to_engage: bool
    submitted_at: datetime


class DepartmentMinutes(BaseModel):
    department: str
    members: int = Field(description="Licensed members")
    stories: int = Field(description="Approved stories")
    minutes_saved: int


class MinutesSaved(BaseModel):
    """Minutes saved that approved stories report, per department."""

    departments: list[DepartmentMinutes]
    hidden_groups: int = Field(description="Departments left out: too few licensed members")
    generated_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _language(resources: Resources, lang: Language | None) -> Language:
    return lang or resources.settings.api_default_lang


async def _named_authors(session: AsyncSession, rows: list[Story]) -> dict[str, str]:
    wanted = sorted({row.author for row in rows if row.named})
    if not wanted:
        return {}
    found = await session.exec(
        select(Person.person, Person.display_name).where(
            col(Person.person).in_(wanted), col(Person.removed).is_(False)
        )
    )
    return {person: name for person, name in found.all() if name}


async def public_stories(
    session: AsyncSession, rows: list[Story], snapshot: Snapshot, size: int, lang: Language
) -> list[StoryPublic]:
    titles = await library.titles(session, {r.use_case for r in rows if r.use_case}, lang)
    names = await _named_authors(session, rows)
    return [
        StoryPublic(
            id=row.id,
            app=App(row.app),
            use_case=row.use_case,
            use_case_title=titles.get(row.use_case) if row.use_case else None,
            minutes_saved=row.minutes_saved,
            text=row.text,
            author=names.get(row.author) if row.named else None,
            department=department_shown(snapshot, row.department, size),
            approved_at=_utc(row.approved_at or row.submitted_at),
        )
        for row in rows
    ]


def mine(row: Story, titles: dict[str, str]) -> MyStory:
    return MyStory(
        id=row.id,
        app=App(row.app),
        use_case=row.use_case,
        use_case_title=titles.get(row.use_case) if row.use_case else None,
        minutes_saved=row.minutes_saved,
        text=row.text,
        named=row.named,
        post_to_engage=row.post_to_engage,
        status=StoryStatus(row.status),
        reason=row.reason if row.status == StoryStatus.REJECTED.value else None,
        submitted_at=_utc(row.submitted_at),
        decided_at=_utc(row.decided_at) if row.decided_at else None,
        approved_at=_utc(row.approved_at) if row.approved_at else None,
    )


async def _mine(resources: Resources, row: Story, lang: Language | None) -> MyStory:
    async with AsyncSession(resources.engine) as session:
        ids = {row.use_case} if row.use_case else set()
        titles = await library.titles(session, ids, _language(resources, lang))
    return mine(row, titles)


@router.post(
    "/api/stories",
    response_model=MyStory,
    status_code=status.HTTP_201_CREATED,
    responses=answers(400, 404, 409, 413) | retried(MyStory),
)
async def submit_story(
    body: StoryCreate,
    response: Response,
    resources: ResourcesDep,
    me: EmployeeDep,
    lang: LangQuery = None,
) -> MyStory:
    """Share what Copilot did for me; it appears once a champion or an admin approves it."""
    assert me.person is not None
    author = me.person

    async def work(session: AsyncSession) -> tuple[Story, bool]:
        return await stories.submit(
            session,
            story_id=str(body.id),
            author=author,
            app=body.app,
            use_case=body.use_case,
            minutes_saved=body.minutes_saved,
            text=body.text.strip(),
            named=body.named,
            post_to_engage=body.post_to_engage,
        )

    try:
        row, created = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return await _mine(resources, row, lang)


@router.get("/api/stories", response_model=list[StoryPublic])
async def approved_stories(
    resources: ResourcesDep,
    _: EmployeeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    lang: LangQuery = None,
) -> list[StoryPublic]:
    """Approved stories, the latest first."""
    snapshot = await resources.directory.snapshot()
    async with AsyncSession(resources.engine) as session:
        rows = await stories.approved(session, limit=limit, offset=offset)
        return await public_stories(
            session, rows, snapshot, resources.settings.min_group_size, _language(resources, lang)
        )


@router.get("/api/screen/stories", response_model=ScreenStories)
async def screen_stories(
    resources: ResourcesDep,
    _: BoardReaderDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 6,
    lang: LangQuery = None,
) -> ScreenStories:
    """The latest approved stories for the office screen; names only of named authors."""
    snapshot = await resources.directory.snapshot()
    async with AsyncSession(resources.engine) as session:
        rows = await stories.approved(session, limit=limit)
        found = await public_stories(
            session, rows, snapshot, resources.settings.min_group_size, _language(resources, lang)
        )
    return ScreenStories(stories=found, generated_at=datetime.now(UTC))


@router.get("/api/me/stories", response_model=list[MyStory])
async def my_stories(
    resources: ResourcesDep, me: EmployeeDep, lang: LangQuery = None
) -> list[MyStory]:
    """The stories I wrote, newest first, with their status (and why one was rejected)."""
    assert me.person is not None
    async with AsyncSession(resources.engine) as session:
        rows = await stories.written_by(session, me.person)
        ids = {r.use_case for r in rows if r.use_case}
        titles = await library.titles(session, ids, _language(resources, lang))
    return [mine(row, titles) for row in rows]


@router.get("/api/stories/queue", response_model=list[QueuedStory])
async def story_queue(
    resources: ResourcesDep, me: EmployeeDep, lang: LangQuery = None
) -> list[QueuedStory]:
    """Stories awaiting a decision: of my departments for a champion, all for an admin."""
    async with AsyncSession(resources.engine) as session:
        departments = await champions.moderated_departments(session, me)
        if departments == []:
            raise Refused(403, "only champions and admins moderate stories").http()
        rows = await stories.pending(session, departments)
        titles = await library.titles(
            session, {r.use_case for r in rows if r.use_case}, _language(resources, lang)
        )
        names = await _named_authors(session, rows)
    return [
        QueuedStory(
            id=row.id,
            app=App(row.app),
            use_case=row.use_case,
            use_case_title=titles.get(row.use_case) if row.use_case else None,
            minutes_saved=row.minutes_saved,
            text=row.text,
            named=row.named,
            author=names.get(row.author) if row.named else None,
            department=row.department,
            post_to_engage=row.post_to_engage,
            submitted_at=_utc(row.submitted_at),
        )
        for row in rows
    ]


@router.post(
    "/api/stories/{story_id}/decision",
    response_model=MyStory,
    responses=answers(400, 404, 409, 413),
)
async def decide_story(
    story_id: StoryPath, body: Decision, resources: ResourcesDep, me: EmployeeDep
) -> MyStory:
    """Approve or reject a pending story (a champion of its department, or an admin)."""
    assert me.person is not None
    moderator = me.person
    today = local_date(datetime.now(UTC), resources.settings.tz)

    async def work(session: AsyncSession) -> Story:
        found = await session.get(Story, str(story_id))
        allowed = await champions.moderates(session, me, found.department if found else None)
        return await stories.decide(
            session,
            story_id=str(story_id),
            moderator=moderator,
            may_moderate=allowed,
            approve=body.decision == "approve",
            reason=(body.reason or "").strip() or None,
            today=today,
            min_size=resources.settings.min_group_size,
        )

    try:
        row = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    return await _mine(resources, row, None)


@router.delete("/api/stories/{story_id}", response_model=MyStory, responses=answers(404))
async def withdraw_story(story_id: StoryPath, resources: ResourcesDep, me: EmployeeDep) -> MyStory:
    """Withdraw a story (its author, or an admin): off the screens, its points revoked."""
    assert me.person is not None
    who = me.person

    async def work(session: AsyncSession) -> Story:
        return await stories.withdraw(
            session,
            story_id=str(story_id),
            by=who,
            is_admin=me.has(Role.ADMIN),
            min_size=resources.settings.min_group_size,
        )

    try:
        row = await write(resources.engine, work)
    except Refused as refused:
        raise refused.http() from None
    return await _mine(resources, row, None)


@router.get("/api/insights/minutes-saved", response_model=MinutesSaved, tags=["insights"])
async def minutes_saved(resources: ResourcesDep, _: InsightsDep) -> MinutesSaved:
    """Minutes saved per department, from approved stories; small departments left out."""
    snapshot = await resources.directory.snapshot()
    size = resources.settings.min_group_size
    async with AsyncSession(resources.engine) as session:
        rows = await stories.minutes_per_department(session)
    shown = [
        DepartmentMinutes(
            department=department,
            members=snapshot.group_size(Scope.DEPARTMENTS, department),
            stories=count,
            minutes_saved=minutes,
        )
        for department, count, minutes in rows
        if department and department_shown(snapshot, department, size)
    ]
    listed = {d.department for d in shown}
    hidden = sum(1 for department, _, _ in rows if department and department not in listed)
    shown.sort(key=lambda d: (-d.minutes_saved, d.department))
    return MinutesSaved(departments=shown, hidden_groups=hidden, generated_at=datetime.now(UTC))
