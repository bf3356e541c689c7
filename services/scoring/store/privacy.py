"""Tables of the privacy commands: the audit trail of exports and erasures.

An audit entry names the pseudonym, the admin and the row counts only: it must
outlive the erasure without holding anything the erasure removed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class PrivacyAudit(SQLModel, table=True):
    __tablename__ = "privacy_audit"

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=16)  # "export" or "erase"
    person: str = Field(index=True, max_length=64)
    by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)
    counts: str = Field(sa_column=Column(Text, nullable=False))  # JSON {what: rows}
