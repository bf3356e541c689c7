"""Scoring's SQL tables: stored signals, the append-only ledger, rule-set versions.

Times are timezone-aware and stored as UTC (SQLModel refuses naive ones).

Signals and ledger rows are keyed by person first. A batch holds a few rows for
each of many people, so its rows land next to each other, person by person; a
key that started with the event id would put every row in a random place of the
index, and every commit would rewrite most of the index's pages. On SQLite the
tables are ``WITHOUT ROWID``: the key is the table, with no second index to
write. The event id and the ledger key name one person's fact or award, so
unique per person means unique. ``store.layout`` upgrades tables of the earlier
layout.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoredSignal(SQLModel, table=True):
    """A Copilot activity fact as received: the input a recalculation replays."""

    __tablename__ = "scoring_signal"
    __table_args__ = {"sqlite_with_rowid": False}

    person: str = Field(primary_key=True, max_length=64)
    event_id: str = Field(primary_key=True, max_length=64)
    app: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    day: date
    at: datetime
    source: str = Field(max_length=32)
    received_at: datetime = Field(default_factory=utcnow)


class LedgerEntry(SQLModel, table=True):
    """One award: ``key`` (rule | version | event or period) makes each award happen once.

    Points rows are never updated or deleted: a revoked grant gets a compensating row
    of minus its points. A badge or level row is dated on the day its condition first
    holds over all facts known: it moves when facts change that day, and goes when
    points taken back leave it unreached."""

    __tablename__ = "scoring_ledger"
    __table_args__ = {"sqlite_with_rowid": False}

    person: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=16)
    rule: str = Field(max_length=100)
    ruleset_version: int
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


class UnattributedFact(SQLModel, table=True):
    """An active day from the usage report that belongs to no directory person.

    Never scored: only the tenant-wide adoption figure counts these. A
    retirement deletes the facts of its epoch and earlier.
    """

    __tablename__ = "scoring_unattributed"

    event_id: str = Field(primary_key=True, max_length=64)
    report_identity: str = Field(max_length=64)
    reason: str = Field(max_length=32)
    app: str = Field(max_length=32)
    day: date = Field(index=True)
    epoch: int
    received_at: datetime = Field(default_factory=utcnow)


class UnattributedRetirement(SQLModel, table=True):
    """The highest unattributed epoch withdrawn so far (one row): facts of that epoch or
    earlier that arrive late are not stored again."""

    __tablename__ = "scoring_unattributed_retired"

    scope: str = Field(primary_key=True, max_length=32)
    epoch: int
    retired_at: datetime = Field(default_factory=utcnow)


class RecognitionFact(SQLModel, table=True):
    """A grant of points outside Copilot usage as scoring received it, and whether it is
    revoked: the input a recalculation replays beside the signals.

    A revocation may come before its grant: the row then holds only the revocation
    (``kind`` is empty) until the grant fills it in. The first grant and the first
    revocation of an id are kept; repeats change nothing.
    """

    __tablename__ = "scoring_recognition"

    person: str = Field(primary_key=True, max_length=64)
    grant_id: str = Field(primary_key=True, max_length=200)
    kind: str | None = Field(default=None, max_length=32)
    points: int | None = None
    day: date | None = None
    title: str | None = Field(default=None, max_length=200)
    granted_event: str | None = Field(default=None, max_length=64)
    revoked: bool = False
    reason: str | None = Field(default=None, max_length=500)
    revoked_event: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=utcnow)


class InsightPending(SQLModel, table=True):
    """A change the adoption-insight cube has yet to take in: a week whose usage changed,
    or (``week`` NULL) something that changes every week: the directory, an erasure.

    Each writing transaction adds rows of its own (a fresh ``token`` each) and never updates one, so
    concurrent batches never wait for each other here; the refresher claims what is
    committed by deleting it, and a row committed after that claim waits for the next
    round (``services.scoring.insights.refresher``).
    """

    __tablename__ = "scoring_insight_pending"

    token: str = Field(primary_key=True, max_length=32)
    week: date | None = None
