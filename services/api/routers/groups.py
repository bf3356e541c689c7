"""Teams and departments: one group's standing, active rate and contributions."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from services.api.boards import PeriodError, resolve_period
from services.api.deps import BoardContextDep, BoardReaderDep, ResourcesDep
from services.api.groups import group_standing
from services.api.routers.leaderboards import PeriodQuery, WindowQuery, period_error
from services.api.schemas import GroupStanding, errors
from shared.leaderboards import Scope
from shared.periods import Window

router = APIRouter(tags=["groups"], responses=errors(401, 404))

GroupName = Annotated[str, Path(min_length=1, max_length=256)]


async def standing(
    context: BoardContextDep, scope: Scope, name: str, window: Window, period: str | None
) -> GroupStanding:
    try:
        resolved = resolve_period(window, period, context.today)
    except PeriodError as exc:
        raise period_error(exc) from exc
    resources = context.resources
    found = await group_standing(
        resources.redis,
        await resources.directory.snapshot(),
        scope,
        name,
        window,
        resolved,
        resources.settings.min_group_size,
    )
    if found is None:
        raise HTTPException(404, f"no {scope} '{name}' with enough licensed members to show")
    return found


@router.get("/api/teams/{name}", response_model=GroupStanding)
async def team_standing(
    name: GroupName,
    context: BoardContextDep,
    window: WindowQuery = Window.WEEK,
    period: PeriodQuery = None,
) -> GroupStanding:
    """A team's rank, points per member, active rate, and named contributors."""
    return await standing(context, Scope.TEAMS, name, window, period)


@router.get("/api/departments/{name}", response_model=GroupStanding)
async def department_standing(
    name: GroupName,
    context: BoardContextDep,
    window: WindowQuery = Window.WEEK,
    period: PeriodQuery = None,
) -> GroupStanding:
    """A department's rank, points per member, active rate, and named contributors."""
    return await standing(context, Scope.DEPARTMENTS, name, window, period)


class GroupEntry(BaseModel):
    name: str
    department: str | None = None  # a team's department (most of its members')


class GroupList(BaseModel):
    """Teams and departments big enough to show, by name."""

    teams: list[GroupEntry]
    departments: list[GroupEntry]


@router.get("/api/groups", response_model=GroupList)
async def group_list(resources: ResourcesDep, _: BoardReaderDep) -> GroupList:
    """Teams and departments whose standing can be shown (e.g. to choose a board)."""
    snapshot = await resources.directory.snapshot()
    size = resources.settings.min_group_size
    departments_of: dict[str, Counter[str]] = {}
    for team, department in snapshot.memberships.values():
        if team and department:
            departments_of.setdefault(team, Counter())[department] += 1
    teams = [
        GroupEntry(name=team, department=_most(departments_of.get(team)))
        for team in sorted(snapshot.team_sizes)
        if snapshot.shown(Scope.TEAMS, team, size)
    ]
    departments = [
        GroupEntry(name=department)
        for department in sorted(snapshot.department_sizes)
        if snapshot.shown(Scope.DEPARTMENTS, department, size)
    ]
    return GroupList(teams=teams, departments=departments)


def _most(counts: Counter[str] | None) -> str | None:
    return min(counts, key=lambda d: (-counts[d], d)) if counts else None
