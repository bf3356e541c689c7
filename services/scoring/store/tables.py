"""Scoring's SQL tables: stored signals, the append-only ledger, rule-set versions.

Times are timezone-aware and stored as UTC (SQLModel refuses naive ones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoredSignal(SQLModel, table=True):
    """A Copilot activity fact as received: the input a recalculation replays."""

    __tablename__ = "scoring_signal"
    __table_args__ = (Index("ix_scoring_signal_person_day", "person", "day"),)

    event_id: str = Field(primary_key=True, max_length=64)
    person: str = Field(max_length=64)
    app: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    day: date
    at: datetime
    source: str = Field(max_length=32)
    received_at: datetime = Field(default_factory=utcnow)


class LedgerEntry(SQLModel, table=True):
    """One award, never updated or deleted: ``key`` makes each award happen once."""

    __tablename__ = "scoring_ledger"
    __table_args__ = (
        Index("ix_scoring_ledger_version_person", "ruleset_version", "person", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    kind: str = Field(max_length=16)
    rule: str = Field(max_length=100)
    ruleset_version: int
    person: str = Field(max_length=64)
    day: date
    at: datetime
    points: int = 0
    event_id: str | None = Field(default=None, max_length=64)
    app: str | None = Field(default=None, max_length=32)
    ref: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class RuleSetVersion(SQLModel, table=True):
    """A stored rule set; the highest published version is the one in force."""

    __tablename__ = "scoring_ruleset"

    version: int = Field(primary_key=True)
    name: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    source: str = Field(sa_column=Column(Text, nullable=False))  # as the admin wrote it
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)
    published_at: datetime | None = None
    published_by: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
