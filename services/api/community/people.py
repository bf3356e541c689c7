"""Finding a colleague by name, to thank them or to nominate them.

The directory's display names are searched for people who are here and licensed: an
address book, with no points, ranks or usage. Everything else in the community shows
names only of people who opted in (:mod:`services.api.community.names`).
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.people import Person
from shared.small_groups import counted

MIN_QUERY = 2
MAX_QUERY = 100
MAX_RESULTS = 10


class PersonHit(BaseModel):
    """A colleague found by name: who, and where they work. Never a score."""

    id: str = Field(description="The person's pseudonymous id (p-...)")
    name: str
    department: str | None = None


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(
    session: AsyncSession, query: str, *, exclude: str | None = None, limit: int = MAX_RESULTS
) -> list[PersonHit]:
    """Up to ``limit`` present, licensed people whose display name contains ``query``
    (case-insensitive); names that start with it first, then alphabetically."""
    needle = " ".join(query.split()).lower()
    if len(needle) < MIN_QUERY:
        return []
    name = func.lower(col(Person.display_name))
    statement = (
        select(Person.person, Person.display_name, Person.department)
        .where(counted(), col(Person.display_name).is_not(None))
        .where(name.like(_like_pattern(needle), escape="\\"))
        .order_by(
            name.like(_like_pattern(needle)[1:], escape="\\").desc(),
            name,
            col(Person.person),
        )
        .limit(limit)
    )
    if exclude is not None:
        statement = statement.where(col(Person.person) != exclude)
    rows = (await session.exec(statement)).all()
    return [
        PersonHit(id=person, name=display, department=department)
        for person, display, department in rows
        if display
    ]
