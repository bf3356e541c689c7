"""Teams and departments: one group's standing, active rate and contributions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from services.api.boards import PeriodError, resolve_period
from services.api.deps import BoardContextDep
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
