"""Adoption insights for adoption leads (Insights.Read) and admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from services.api import activity
from services.api.auth.guard import unauthorized
from services.api.auth.principal import Principal, Role
from services.api.cockpit.adoption import adoption_from_cube
from services.api.cockpit.answer import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    MIN_WEEKS,
    Question,
    UnknownGroup,
    answer,
)
from services.api.cockpit.models import Cockpit
from services.api.cockpit.table import Chart, render, table_of
from services.api.deps import InsightsDep, PrincipalDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery
from services.api.insight_cube import Within
from services.api.insights import Options, adoption, current_figures, first_day, with_headline
from services.api.report_names import ReportNames, ingest_status, report_names
from services.api.schemas import AdoptionInsights, ErrorMessage, errors
from services.api.text import OneLine

router = APIRouter(prefix="/api/insights", tags=["insights"], responses=errors(401, 403))

WeeksQuery = Annotated[
    int, Query(ge=MIN_WEEKS, le=MAX_WEEKS, description="How many complete weeks to chart")
]
DepartmentQuery = Annotated[
    OneLine | None,
    Query(max_length=256, description="Only this department ('' for people without one)"),
]
FunctionQuery = Annotated[
    OneLine | None,
    Query(max_length=256, description="Only this job function ('' for people without one)"),
]
NARROWED: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorMessage, "description": "Both a department and a job function"},
    404: {"model": ErrorMessage, "description": "No such department or job function"},
}
MeasureQuery = Annotated[
    Literal["week", "four_weeks"],
    Query(description="Heatmap: the last complete week, or the mean of the last 4"),
]


@router.get("/adoption", response_model=AdoptionInsights)
async def adoption_insights(resources: ResourcesDep, today: TodayDep, _: InsightsDep) -> Response:
    """Licensed vs active, per app, per department and team, trend, segments, assisted hours."""

    async def render() -> bytes:
        settings = resources.settings
        options = Options(settings.min_group_size, settings.api_minutes_saved_per_action)
        built = await adoption_from_cube(resources.engine, today, options)
        if built is not None:
            return built.model_dump_json().encode()
        # Before the insight tables' first build: from the stored signals, as before.
        usage = await activity.usage_between(resources.engine, first_day(today), today)
        snapshot = await resources.directory.snapshot()
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


async def _cockpit(
    resources: ResourcesDep,
    lang: str | None,
    weeks: int,
    department: str | None,
    function: str | None,
) -> Cockpit:
    if department is not None and function is not None:
        raise HTTPException(400, "narrow to a department or to a job function, not both")
    within = (
        Within("department", department)
        if department is not None
        else Within("function", function)
        if function is not None
        else None
    )
    settings = resources.settings
    question = Question(
        lang=lang or settings.api_default_lang,  # type: ignore[arg-type]
        weeks=weeks,
        within=within,
        min_group_size=settings.min_group_size,
        minutes_per_action=settings.api_minutes_saved_per_action,
    )
    try:
        return await answer(resources.engine, resources.rulebook, resources.insights, question)
    except UnknownGroup as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/cockpit", response_model=Cockpit, responses=NARROWED)
async def adoption_cockpit(
    resources: ResourcesDep,
    _: InsightsDep,
    lang: LangQuery = None,
    weeks: WeeksQuery = DEFAULT_WEEKS,
    department: DepartmentQuery = None,
    function: FunctionQuery = None,
) -> Cockpit:
    """Weekly active rate per app, how often, department x app, usage tiers, job functions,
    find/create/communicate, assisted hours and growth flags, from the insight cube."""
    return await _cockpit(resources, lang, weeks, department, function)


@router.get(
    "/cockpit/{chart}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **NARROWED},
)
async def cockpit_chart_csv(
    chart: Chart,
    resources: ResourcesDep,
    _: InsightsDep,
    lang: LangQuery = None,
    weeks: WeeksQuery = DEFAULT_WEEKS,
    department: DepartmentQuery = None,
    function: FunctionQuery = None,
    measure: MeasureQuery = "four_weeks",
) -> Response:
    """Exactly the rows and columns one cockpit chart shows, as CSV."""
    cockpit = await _cockpit(resources, lang, weeks, department, function)
    body = "\ufeff" + render(table_of(cockpit, chart, measure))
    name = f"uptake-{chart.value}.csv"
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
