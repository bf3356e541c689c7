"""What notify keeps in SQL: the outbox, the awards it has seen (with their titles per
language), what it told of stories and champion events, and channel health."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def as_utc(moment: datetime) -> datetime:
    """Timestamps are aware UTC (SQLModel stores them so); a naive one is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(StrEnum):
    PENDING = "pending"  # stored, not yet accepted by the channel
    SENT = "sent"  # the channel accepted it
    FOLDED = "folded"  # folded into a digest instead of posted alone
    DEAD = "dead"  # the channel refused it for good; admins may replay it


class OutboxEntry(SQLModel, table=True):
    """One notification for one channel, stored under a unique key before it is sent."""

    __tablename__ = "notify_outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)
    channel: str = Field(index=True, max_length=100)
    kind: str = Field(max_length=40)
    event_id: str | None = Field(default=None, max_length=100)
    facts: str = Field(sa_column=Column(Text, nullable=False))  # JSON, see services.notify.facts
    status: str = Field(default=Status.PENDING, index=True, max_length=20)
    not_before: datetime = Field(default_factory=utcnow, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    folded_into: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class SeenAward(SQLModel, table=True):
    """Awards as notify saw them: the raw material of the weekly digest."""

    __tablename__ = "notify_award"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    person: str = Field(index=True, max_length=64)
    team: str | None = Field(default=None, max_length=256)
    department: str | None = Field(default=None, max_length=256)
    points: int = 0
    badge: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=300)
    activity_date: date = Field(index=True)


class SeenTitles(SQLModel, table=True):
    """The titles per language of a seen award, when the rule set gives more than one."""

    __tablename__ = "notify_award_titles"

    event_id: str = Field(primary_key=True, max_length=100)
    titles: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {language: title}


class ChannelHealth(SQLModel, table=True):
    """The admin-visible state of a channel, e.g. Engage waiting for a new sign-in."""

    __tablename__ = "notify_channel_health"

    channel: str = Field(primary_key=True, max_length=100)
    state: str = Field(default="ok", max_length=40)
    detail: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    """What notify told of one story or champion event (``story:<id>``, ``event:<id>``).

    A later change replaces what is not yet sent, and a change older than ``version``
    (a redelivery after a newer one) changes nothing. Ids only: no person.
    """

    __tablename__ = "notify_topic"

    topic: str = Field(primary_key=True, max_length=120)
    version: int = 0  # the newest change taken in
    closed: bool = False  # withdrawn or cancelled: nothing more is told
    # JSON list of the channels holding its announcement (sent or waiting to be)
    announced: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
