"""Adoption insights for adoption leads (Insights.Read) and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from services.api import activity
from services.api.auth.guard import unauthorized
from services.api.auth.principal import Principal, Role
from services.api.deps import InsightsDep, PrincipalDep, ResourcesDep, TodayDep
from services.api.insights import Options, adoption, current_figures, first_day, with_headline
from services.api.report_names import ReportNames, ingest_status, report_names
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

    body = AdoptionInsights.model_validate_json(await resources.insights.get(today, render))
    # The headline comes from the figures the screen shows, so the two always agree.
    figures = await current_figures(
        resources.engine, resources.directory, resources.insights, today
    )
    return Response(with_headline(body, figures).model_dump_json(), media_type="application/json")


async def admin_or_insights(principal: PrincipalDep) -> Principal:
    if principal.kind == "anonymous":
        raise unauthorized(f"sign in with the {Role.ADMIN} or {Role.INSIGHTS} role")
    if not (principal.has(Role.ADMIN) or principal.has(Role.INSIGHTS)):
        raise HTTPException(403, f"the {Role.ADMIN} or {Role.INSIGHTS} role is required")
    return principal


@router.get("/report-names", response_model=ReportNames)
async def concealed_report_names(
    resources: ResourcesDep,
    today: TodayDep,
    _: Annotated[Principal, Depends(admin_or_insights)],
    lang: Annotated[str, Query(pattern="^[a-z]{2}$", description="nl, en or fr")] = "en",
) -> ReportNames:
    """Whether the usage report conceals names, what that means, and how to reveal them."""
    status = await ingest_status(resources.bus.client, resources.settings.ingest_status_bucket)
    figures = await current_figures(
        resources.engine, resources.directory, resources.insights, today
    )
    return report_names(status, figures, lang)
