"""Issues sent: one row per issue, written with its ``NewsletterPublished`` announcement.

Sending is one transaction: the row and the outbox event commit together or not at
all. The client names the issue (a UUID): the same request again answers the issue
it made and announces nothing twice; the same id for another period or option is a
409. A period that was sent already is a 409 too, unless the admin confirms a second
send (``resend``): a newsletter posted twice to the company by a double click is
the mistake this guards against, a deliberate second edition is not.

The texts are worded inside that transaction, after the erasure turn
(:func:`services.api.community.locks.take_turn`), so an author erased meanwhile is
never named in an issue; they are not stored here, so an erasure later has no copy
of a name to find.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from services.api.newsletter.periods import Period
from services.api.outbox import enqueue
from shared.events import NewsletterPublished, NewsletterText

LOCK = "newsletter"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive times; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class NewsletterIssue(SQLModel, table=True):
    __tablename__ = "newsletter_issue"

    id: str = Field(primary_key=True, max_length=36)
    cadence: str = Field(max_length=16)
    period: str = Field(max_length=16, index=True)  # 2026-W48 or 2026-11
    since: date
    until: date
    sent_by: str | None = Field(default=None, max_length=64)  # None once erased
    sent_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    post_to_engage: bool = False


def _same(row: NewsletterIssue, period: Period, post_to_engage: bool) -> bool:
    return (row.cadence, row.period, row.post_to_engage) == (
        period.cadence,
        period.key,
        post_to_engage,
    )


async def sent_for(session: AsyncSession, period: Period) -> list[NewsletterIssue]:
    rows = await session.exec(
        select(NewsletterIssue)
        .where(NewsletterIssue.cadence == period.cadence, NewsletterIssue.period == period.key)
        .order_by(col(NewsletterIssue.sent_at))
    )
    return list(rows.all())


async def latest(session: AsyncSession, limit: int = 50) -> list[NewsletterIssue]:
    rows = await session.exec(
        select(NewsletterIssue)
        .order_by(col(NewsletterIssue.sent_at).desc(), col(NewsletterIssue.id))
        .limit(limit)
    )
    return list(rows.all())


async def send(
    session: AsyncSession,
    *,
    issue: str,
    period: Period,
    post_to_engage: bool,
    resend: bool,
    sent_by: str,
    texts: Callable[[], Awaitable[tuple[dict[str, NewsletterText], list[str]]]],
) -> tuple[NewsletterIssue, bool]:
    """Record and announce an issue; ``(row, False)`` when this very issue was sent before.
    ``texts`` words the issue and says whom it names (called only when it is sent).
    The caller commits."""
    await take_turn(session, LOCK)
    existing = await session.get(NewsletterIssue, issue)
    if existing is not None:
        if _same(existing, period, post_to_engage):
            return existing, False
        raise Refused(409, "this id belongs to another newsletter issue")
    earlier = await sent_for(session, period)
    if earlier and not resend:
        when = as_utc(earlier[-1].sent_at).strftime("%Y-%m-%d %H:%M UTC")
        raise Refused(
            409,
            f"the {period.cadence} newsletter of {period.key} was sent already ({when}); "
            "send again with resend=true to post it a second time",
        )
    row = NewsletterIssue(
        id=issue,
        cadence=period.cadence,
        period=period.key,
        since=period.since,
        until=period.until,
        sent_by=sent_by,
        post_to_engage=post_to_engage,
    )
    session.add(row)
    worded, named = await texts()
    enqueue(
        session,
        NewsletterPublished(
            newsletter=issue,
            cadence=period.cadence,
            since=period.since,
            until=period.until,
            texts=worded,
            named=named,
            post_to_engage=post_to_engage,
        ),
    )
    return row, True
