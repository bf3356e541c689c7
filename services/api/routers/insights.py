"""Adoption insights for adoption leads (Insights.Read) and admins."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.api import activity
from services.api.deps import InsightsDep, ResourcesDep, TodayDep
from services.api.insights import Options, adoption, first_day
from services.api.schemas import AdoptionInsights, errors

router = APIRouter(prefix="/api/insights", tags=["insights"], responses=errors(401, 403))


@router.get("/adoption", response_model=AdoptionInsights)
async def adoption_insights(resources: ResourcesDep, today: TodayDep, _: InsightsDep) -> Response:
    """Licensed vs active, per app, per department and team, trend, segments, assisted hours."""

    async def render() -> bytes:
        usage = await activity.usage_between(resources.engine, first_day(today), today)
        snapshot = await resources.directory.snapshot()
        settings = resources.settings
        options = Options(settings.min_group_size, settings.api_minutes_saved_per_action)
        return adoption(usage, snapshot, today, options).model_dump_json().encode()

    body = await resources.insights.get(today, render)
    return Response(body, media_type="application/json")
