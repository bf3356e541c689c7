"""Nudges posted to a department's channel: one per department and app per week.

Posting a nudge writes a :class:`NudgePost` and its ``TipPosted`` (with the gap it
answers) in one transaction, through the gateway's outbox: both or neither. The key
(department, app, week) makes a second post the same week impossible, even when two
adoption leads click at once; the client's id makes a retried click return the first
post. ``posted_by`` names the adoption lead; erasing them empties it and keeps the post,
so the department is not nudged twice that week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.refusals import Refused
from services.api.outbox import enqueue
from shared.events import AdoptionGap, App, TipPosted


class NudgePost(SQLModel, table=True):
    """A nudge posted to a department's channel in the week starting ``week``."""

    __tablename__ = "api_nudge_post"

    department: str = Field(primary_key=True, max_length=256)
    app: str = Field(primary_key=True, max_length=16)
    week: date = Field(primary_key=True)  # the Monday of the week the list is for
    client_id: str = Field(max_length=64, unique=True)
    use_case: str = Field(max_length=64)
    department_rate: float
    organisation_rate: float
    weeks: int
    until: date
    posted_by: str | None = Field(default=None, max_length=64)
    posted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

    @property
    def tip(self) -> str:
        """The tip's id on the bus: notify sends each tip id once."""
        return f"nudge-{self.client_id}"

    @property
    def gap(self) -> AdoptionGap:
        return AdoptionGap(
            app=App(self.app),
            department_rate=self.department_rate,
            organisation_rate=self.organisation_rate,
            weeks=self.weeks,
            until=self.until,
        )


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive times; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AlreadyPosted(Refused):
    """This department was nudged about this app this week already (409)."""

    def __init__(self, post: NudgePost) -> None:
        when = as_utc(post.posted_at)
        super().__init__(
            409, f"{post.department} was nudged about {post.app} this week, on {when.isoformat()}"
        )
        self.post = post


@dataclass(frozen=True)
class Suggested:
    """The use case a post tells: its id, titles and sample prompts per language."""

    id: str
    titles: dict[str, str]
    prompts: dict[str, list[str]]


async def posts_of_week(session: AsyncSession, week: date) -> dict[tuple[str, str], NudgePost]:
    """This week's posts per (department, app)."""
    rows = await session.exec(select(NudgePost).where(col(NudgePost.week) == week))
    return {(row.department, row.app): row for row in rows.all()}


async def replayed(
    session: AsyncSession, client_id: str, department: str, app: str, posted_by: str
) -> NudgePost | None:
    """The post this client id made before, if any (409 when it was another post)."""
    existing = (
        await session.exec(select(NudgePost).where(col(NudgePost.client_id) == client_id))
    ).first()
    if existing is None:
        return None
    if (existing.department, existing.app, existing.posted_by) != (department, app, posted_by):
        raise Refused(409, "this client id belongs to another post")
    return existing


async def post(
    session: AsyncSession,
    *,
    client_id: str,
    department: str,
    week: date,
    gap: AdoptionGap,
    use_case: Suggested,
    posted_by: str,
    now: datetime,
) -> tuple[NudgePost, bool]:
    """Record the post and enqueue its tip; returns the post and whether it is new
    (False: this client id posted it before). The caller commits."""
    existing = await replayed(session, client_id, department, gap.app.value, posted_by)
    if existing is not None:
        return existing, False
    taken = await session.get(NudgePost, (department, gap.app.value, week))
    if taken is not None:
        raise AlreadyPosted(taken)
    row = NudgePost(
        department=department,
        app=gap.app.value,
        week=week,
        client_id=client_id,
        use_case=use_case.id,
        department_rate=gap.department_rate,
        organisation_rate=gap.organisation_rate,
        weeks=gap.weeks,
        until=gap.until,
        posted_by=posted_by,
        posted_at=now,
    )
    session.add(row)
    await session.flush()  # a post made meanwhile fails here, and the post is tried again
    enqueue(
        session,
        TipPosted(
            tip=row.tip,
            department=department,
            use_case=use_case.id,
            app=gap.app,
            titles=dict(use_case.titles),
            prompts={lang: list(texts) for lang, texts in use_case.prompts.items()},
            gap=gap,
        ),
    )
    return row, True
