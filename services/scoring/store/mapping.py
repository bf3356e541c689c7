"""Tables of the team mapping: admins' overrides, and the directory's own values beside them.

``directory_origin`` keeps what the directory said before an override applied,
so changing or removing an override can restore or remap everyone it touched.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class TeamMapping(SQLModel, table=True):
    __tablename__ = "team_mapping"
    __table_args__ = (UniqueConstraint("kind", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # "person", "team" or "department"
    source: str = Field(max_length=256)  # a pseudonym, or the directory's team/department name
    team: str | None = Field(default=None, max_length=256)
    department: str | None = Field(default=None, max_length=256)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=200)


class DirectoryOrigin(SQLModel, table=True):
    __tablename__ = "directory_origin"

    person: str = Field(primary_key=True, max_length=64)
    team: str | None = Field(default=None, max_length=256)
    department: str | None = Field(default=None, max_length=256)
    updated_at: datetime = Field(default_factory=utcnow)
