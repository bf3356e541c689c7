"""Dependencies routes ask for, as ``Annotated`` aliases."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from services.api.resources import Resources
from shared.periods import today
from shared.settings import ApiSettings


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(resources: ResourcesDep) -> ApiSettings:
    return resources.settings


def get_redis(resources: ResourcesDep) -> Redis:
    return resources.redis


def get_today(settings: Annotated[ApiSettings, Depends(get_settings)]) -> date:
    return today(settings.tz)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
RedisDep = Annotated[Redis, Depends(get_redis)]
TodayDep = Annotated[date, Depends(get_today)]
