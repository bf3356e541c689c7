"""What a campaign stores: what was done, when, for which departments, and by whom.

The creator is a pseudonymous id, kept so that they may withdraw their own campaign;
erasing them deletes their campaigns, as it deletes the events a champion hosted.
A withdrawn campaign stays stored (its id stays taken) but is no longer listed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _moment(nullable: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class Campaign(SQLModel, table=True):
    """One intervention aimed at one or more departments, from ``starts_on``."""

    __tablename__ = "api_campaign"

    id: str = Field(primary_key=True, max_length=36)  # the client's id
    kind: str = Field(max_length=24)  # training, champion_event, challenge, newsletter, other
    title: str = Field(max_length=200)
    starts_on: date = Field(index=True)
    ends_on: date | None = None
    departments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by: str | None = Field(default=None, max_length=64, index=True)  # None once erased
    created_as: str = Field(max_length=16)  # admin or champion: what the page may say
    created_at: datetime = _moment()
    withdrawn: bool = False
    withdrawn_at: datetime | None = _moment(nullable=True)
