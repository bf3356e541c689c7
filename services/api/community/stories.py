"""Success stories: what a colleague achieved with Copilot, in their own words.

A story waits for a champion of its author's department, or an admin, to approve or
reject it (with a reason); nobody decides on their own story. Approved, it earns its
author ``RecognitionKind.STORY`` points (grant ``story:<id>``) and is announced as
``StoryPublished`` (``author`` only when they chose to be named, the department only
when it is big enough to be shown). The author or an admin may withdraw it: the points
are revoked, and an approved story is announced again with ``change=removed``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community import library
from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from services.api.outbox import enqueue
from shared.events import App, CommunityChange, RecognitionKind, StoryPublished
from shared.people import Person
from shared.small_groups import group_sizes

MAX_TEXT = 600
MAX_MINUTES = 480


class StoryStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _moment() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Story(SQLModel, table=True):
    __tablename__ = "api_story"
    __table_args__ = (Index("ix_api_story_status_approved", "status", "approved_at"),)

    id: str = Field(primary_key=True, max_length=36)
    author: str = Field(max_length=64, index=True)
    department: str | None = Field(default=None, max_length=256)  # the author's, when written
    app: str = Field(max_length=16)
    use_case: str | None = Field(default=None, max_length=64)
    minutes_saved: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    named: bool = False
    post_to_engage: bool = False
    status: str = Field(default=StoryStatus.PENDING.value, max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    submitted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _moment()
    approved_at: datetime | None = _moment()
    approved_on: date | None = None  # the day its points count for
    withdrawn_by: str | None = Field(default=None, max_length=64)
    withdrawn_at: datetime | None = _moment()


def grant_id(story: str) -> str:
    return f"story:{story}"


def same_story(row: Story, author: str, fields: dict[str, object]) -> bool:
    return row.author == author and all(getattr(row, k) == v for k, v in fields.items())


async def submit(
    session: AsyncSession,
    *,
    story_id: str,
    author: str,
    app: App,
    use_case: str | None,
    minutes_saved: int,
    text: str,
    named: bool,
    post_to_engage: bool,
) -> tuple[Story, bool]:
    """Add a story awaiting a decision; the same id with the same story again is the one
    added (False). The caller commits."""
    await take_turn(session, grant_id(story_id))
    fields: dict[str, object] = {
        "app": app.value,
        "use_case": use_case,
        "minutes_saved": minutes_saved,
        "text": text,
        "named": named,
        "post_to_engage": post_to_engage,
    }
    existing = await session.get(Story, story_id)
    if existing is not None:
        if same_story(existing, author, fields):
            return existing, False
        raise Refused(409, "this id belongs to another story")
    if use_case is not None and await library.find(session, use_case) is None:
        raise Refused(404, "no use case with this id")
    person = await session.get(Person, author)
    row = Story(
        id=story_id,
        author=author,
        department=person.department if person is not None else None,
        app=app.value,
        use_case=use_case,
        minutes_saved=minutes_saved,
        text=text,
        named=named,
        post_to_engage=post_to_engage,
    )
    session.add(row)
    return row, True


async def _announcement(
    session: AsyncSession, row: Story, change: CommunityChange, min_size: int
) -> StoryPublished:
    sizes = await group_sizes(session)
    return StoryPublished(
        story=row.id,
        change=change,
        app=App(row.app),
        use_case=row.use_case,
        minutes_saved=row.minutes_saved,
        text=row.text,
        department=row.department if sizes.department_shown(row.department, min_size) else None,
        author=row.author if row.named else None,
        post_to_engage=row.post_to_engage,
    )


async def decide(
    session: AsyncSession,
    *,
    story_id: str,
    moderator: str,
    may_moderate: bool,
    approve: bool,
    reason: str | None,
    today: date,
    min_size: int,
) -> Story:
    """Approve or reject a pending story. ``may_moderate``: the moderator is an admin or a
    champion of the story's department. The same decision again changes nothing."""
    await take_turn(session, grant_id(story_id))
    row = await session.get(Story, story_id)
    if row is None:
        raise Refused(404, "no story with this id")
    if not may_moderate:
        raise Refused(403, "only a champion of the author's department or an admin decides")
    if row.author == moderator:
        raise Refused(403, "nobody decides on their own story")
    wanted = StoryStatus.APPROVED if approve else StoryStatus.REJECTED
    if row.status == wanted.value:
        return row
    if row.status != StoryStatus.PENDING.value:
        raise Refused(409, f"this story is already {row.status}")
    row.status = wanted.value
    row.reason = reason
    row.decided_by = moderator
    row.decided_at = utcnow()
    if approve:
        row.approved_at = row.decided_at
        row.approved_on = today
        await recognition.grant(
            session,
            grant=grant_id(row.id),
            person=row.author,
            kind=RecognitionKind.STORY,
            day=today,
            title=f"Story: {row.text[:60]}",
            granted_by=moderator,
        )
        enqueue(session, await _announcement(session, row, CommunityChange.APPROVED, min_size))
    session.add(row)
    return row


async def withdraw(
    session: AsyncSession, *, story_id: str, by: str, is_admin: bool, min_size: int
) -> Story:
    """Take a story back (its author or an admin): off the screens, its points revoked."""
    await take_turn(session, grant_id(story_id))
    row = await session.get(Story, story_id)
    if row is None or (row.author != by and not is_admin):
        raise Refused(404, "no story of yours with this id")
    if row.status == StoryStatus.WITHDRAWN.value:
        return row
    if row.status == StoryStatus.APPROVED.value:
        await recognition.revoke(
            session, grant=grant_id(row.id), reason="story withdrawn", revoked_by=by
        )
        enqueue(session, await _announcement(session, row, CommunityChange.REMOVED, min_size))
    row.status = StoryStatus.WITHDRAWN.value
    row.withdrawn_by = by
    row.withdrawn_at = utcnow()
    session.add(row)
    return row


async def approved(session: AsyncSession, *, limit: int, offset: int = 0) -> list[Story]:
    """Approved stories, the latest approved first."""
    rows = await session.exec(
        select(Story)
        .where(Story.status == StoryStatus.APPROVED.value)
        .order_by(col(Story.approved_at).desc(), col(Story.id))
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all())


async def pending(
    session: AsyncSession, departments: list[str] | None, limit: int = 200
) -> list[Story]:
    """Stories awaiting a decision, oldest first; of ``departments`` only (None: all)."""
    query = select(Story).where(Story.status == StoryStatus.PENDING.value)
    if departments is not None:
        query = query.where(col(Story.department).in_(departments))
    rows = await session.exec(query.order_by(col(Story.submitted_at), col(Story.id)).limit(limit))
    return list(rows.all())


async def written_by(session: AsyncSession, author: str, limit: int = 100) -> list[Story]:
    rows = await session.exec(
        select(Story)
        .where(Story.author == author)
        .order_by(col(Story.submitted_at).desc(), col(Story.id))
        .limit(limit)
    )
    return list(rows.all())


async def minutes_per_department(session: AsyncSession) -> list[tuple[str | None, int, int]]:
    """(department, approved stories, minutes saved) for every department with one."""
    rows = await session.exec(
        select(Story.department, func.count(), func.sum(Story.minutes_saved))
        .where(Story.status == StoryStatus.APPROVED.value)
        .group_by(col(Story.department))
    )
    return [(d, int(n), int(m or 0)) for d, n, m in rows.all()]
