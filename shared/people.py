"""The directory as Uptake keeps it: pseudonymous people, their team and department.

Names are kept only to greet people who opted in; every board and card checks
``opted_in`` before showing one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


class Person(SQLModel, table=True):
    __tablename__ = "person"

    person: str = Field(primary_key=True, max_length=64)
    display_name: str | None = Field(default=None, max_length=256)
    department: str | None = Field(default=None, index=True, max_length=256)
    team: str | None = Field(default=None, index=True, max_length=256)
    # The job title as the directory gives it, tidied (``shared.insight_tables.job_function``):
    # adoption insights break usage down by it, hiding functions below the minimum size.
    job_function: str | None = Field(default=None, max_length=256)
    licensed: bool = True
    removed: bool = False
    opted_in: bool = False
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
