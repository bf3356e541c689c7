"""What the champions programme stores: champions, events, check-ins, tips and activities.

People are pseudonymous ids. Times are stored in UTC; SQLite hands them back without a
zone, so readers go through :func:`as_utc`. Lists are JSON and are replaced, never
changed in place, so that the change is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` with its zone; a naive one (read back from SQLite) was stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(nullable: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Champion(SQLModel, table=True):
    """One person's place in the programme: the latest application and its decision."""

    __tablename__ = "api_champion"

    person: str = Field(primary_key=True, max_length=64)
    status: str = Field(max_length=16, index=True)  # pending, approved, rejected, retired
    departments: list[str] = _json_list()
    apps: list[str] = _json_list()
    motivation: str = Field(default="", sa_column=Column(Text, nullable=False))
    application: str = Field(max_length=36)  # the client's id of the latest application
    nominated_by: str | None = Field(default=None, max_length=64)
    applied_at: datetime = _moment()
    reason: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=64)
    changed_at: datetime = _moment()
    version: int = 1


class ChampionEvent(SQLModel, table=True):
    """A lunch & learn, office hours or prompt-a-thon, hosted by a champion."""

    __tablename__ = "api_champion_event"

    id: str = Field(primary_key=True, max_length=36)
    host: str = Field(max_length=64, index=True)
    title: str = Field(max_length=200)
    format: str = Field(max_length=40)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    location: str = Field(default="", max_length=200)
    starts_at: datetime = _moment()
    ends_at: datetime = _moment()
    departments: list[str] = _json_list()
    screens: list[int] = _json_list()  # display tokens whose screens show the check-in code
    secret: str = Field(max_length=64)  # the key the rotating check-in codes derive from
    cancelled: bool = False
    version: int = 1
    created_at: datetime = _moment()
    updated_at: datetime = _moment()


class Checkin(SQLModel, table=True):
    """An attendee checked in at an event: once per person and event."""

    __tablename__ = "api_champion_checkin"

    event: str = Field(primary_key=True, max_length=36)
    person: str = Field(primary_key=True, max_length=64, index=True)
    at: datetime = _moment()
    grant: str = Field(max_length=200)
    points: int


class CheckinFailure(SQLModel, table=True):
    """A wrong check-in code: counted to slow down guessing."""

    __tablename__ = "api_champion_checkin_failure"

    id: int | None = Field(default=None, primary_key=True)
    person: str = Field(max_length=64, index=True)
    event: str = Field(max_length=36)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class Tip(SQLModel, table=True):
    """A use case a champion sent to a department's channel; ``slot`` numbers the day's
    tips per department, so the daily limit holds under concurrent sends."""

    __tablename__ = "api_champion_tip"
    __table_args__ = (UniqueConstraint("department", "day", "slot"),)

    id: str = Field(primary_key=True, max_length=36)
    department: str = Field(max_length=256)
    day: date
    slot: int
    sent_by: str = Field(max_length=64)
    use_case: str = Field(max_length=100)
    app: str = Field(max_length=16)
    titles: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompts: dict[str, list[str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    sent_at: datetime = _moment()


class Activity(SQLModel, table=True):
    """Something a person did for adoption that usage does not show, awaiting a decision."""

    __tablename__ = "api_activity"

    id: str = Field(primary_key=True, max_length=36)
    person: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=24)  # blog_post, training_given, other
    title: str = Field(max_length=200)
    day: date
    link: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=16, index=True)  # pending, approved, rejected
    points: int | None = None
    reason: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _moment(nullable=True)
    submitted_at: datetime = _moment()
    grant: str | None = Field(default=None, max_length=200)
