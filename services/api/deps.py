"""Dependencies routes ask for, as ``Annotated`` aliases.

All are ``async def``: FastAPI runs plain ``def`` dependencies in a thread pool,
a hop that costs more than everything these functions do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from redis.asyncio import Redis

from services.api.auth.guard import unauthorized
from services.api.auth.principal import Principal, Role
from services.api.resources import Resources
from shared.periods import today
from shared.settings import ApiSettings


async def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_settings(resources: ResourcesDep) -> ApiSettings:
    return resources.settings


async def get_redis(resources: ResourcesDep) -> Redis:
    return resources.redis


async def get_today(settings: Annotated[ApiSettings, Depends(get_settings)]) -> date:
    return today(settings.tz)


async def get_principal(request: Request, resources: ResourcesDep) -> Principal:
    return await resources.guard.principal(request)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def board_reader(principal: PrincipalDep, resources: ResourcesDep) -> Principal:
    """Anyone when boards are public; otherwise a display token or a signed-in person."""
    if principal.kind == "anonymous" and not resources.settings.api_public_boards:
        raise unauthorized("a display token or sign-in is required")
    return principal


async def employee(principal: PrincipalDep) -> Principal:
    if principal.kind == "anonymous":
        raise unauthorized("sign in to see your own data")
    if principal.person is None:
        raise HTTPException(403, "this token does not belong to a person")
    return principal


def role_required(role: Role) -> object:
    async def check(principal: PrincipalDep) -> Principal:
        if principal.kind == "anonymous":
            raise unauthorized(f"sign in with the {role} role")
        if not principal.has(role):
            raise HTTPException(403, f"the {role} role is required")
        return principal

    return Depends(check)


@dataclass(frozen=True)
class BoardContext:
    resources: Resources
    principal: Principal
    today: date


async def board_context(request: Request) -> BoardContext:
    """Everything a board route needs, in one dependency: boards are the hot path."""
    resources: Resources = request.app.state.resources
    principal = await resources.guard.principal(request)
    if principal.kind == "anonymous" and not resources.settings.api_public_boards:
        raise unauthorized("a display token or sign-in is required")
    return BoardContext(resources, principal, today(resources.settings.tz))


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
RedisDep = Annotated[Redis, Depends(get_redis)]
TodayDep = Annotated[date, Depends(get_today)]
BoardReaderDep = Annotated[Principal, Depends(board_reader)]
EmployeeDep = Annotated[Principal, Depends(employee)]
AdminDep = Annotated[Principal, role_required(Role.ADMIN)]
InsightsDep = Annotated[Principal, role_required(Role.INSIGHTS)]
BoardContextDep = Annotated[BoardContext, Depends(board_context)]
