"""Who can help me: the approved champions of each department, named where allowed.

A champion is named only when the directory allows their name
(:class:`services.api.directory.Snapshot`: opted in, and :mod:`shared.small_groups`
lets it be shown); the others in a department are counted, never named. People who
left are neither named nor counted.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.tables import Champion
from services.api.directory import Snapshot


class NamedChampion(BaseModel):
    name: str
    apps: list[str] = Field(description="The apps they can help with")
    me: bool = Field(default=False, description="This champion is the caller")


class DepartmentChampions(BaseModel):
    department: str
    champions: list[NamedChampion] = Field(description="Champions who may be named")
    unnamed: int = Field(description="Further champions, who chose not to be named")


async def approved(session: AsyncSession) -> list[Champion]:
    rows = await session.exec(select(Champion).where(col(Champion.status) == "approved"))
    return list(rows.all())


def roster(
    champions: list[Champion], snapshot: Snapshot, me: str | None, department: str | None = None
) -> list[DepartmentChampions]:
    """Departments (one, or every department with champions) and their champions."""
    named: dict[str, list[NamedChampion]] = defaultdict(list)
    unnamed: dict[str, int] = defaultdict(int)
    for row in champions:
        if row.person in snapshot.removed:
            continue
        name = snapshot.name_of(row.person)
        for served in row.departments:
            if department is not None and served != department:
                continue
            if name is None:
                unnamed[served] += 1
            else:
                named[served].append(NamedChampion(name=name, apps=row.apps, me=row.person == me))
    departments = sorted(set(named) | set(unnamed) | ({department} if department else set()))
    return [
        DepartmentChampions(
            department=d,
            champions=sorted(named[d], key=lambda c: c.name.casefold()),
            unnamed=unnamed[d],
        )
        for d in departments
    ]
