"""Nudges for adoption leads (Insights.Read) and admins: this week's adoption gaps per
department, each with a use case to suggest, and a one-click post to the department's
channel. Figures about groups only, never a list of people.

- ``GET /api/insights/nudges``: the list (see :mod:`services.api.nudges.gaps` for the rule
  and :mod:`services.api.nudges.suggest` for the use case), the weeks compared and the
  departments not shown, with the reason;
- ``POST /api/insights/nudges/post``: posts one nudge as a tip with its gap, recomputed
  here (never taken from the client), once per department and app per week;
- ``GET /insights/nudges``: the page.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.clock import NowDep
from services.api.community.library import find
from services.api.community.refusals import Refused
from services.api.community.responses import retried
from services.api.community.transactions import write
from services.api.deps import InsightsDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery, page_texts
from services.api.nudges.gaps import (
    MIN_GAP_POINTS,
    MIN_ORGANISATION_RATE,
    PER_DEPARTMENT,
    Gap,
    Nudges,
    leaders,
)
from services.api.nudges.posts import (
    AlreadyPosted,
    NudgePost,
    Suggested,
    as_utc,
    post,
    posts_of_week,
    replayed,
)
from services.api.nudges.suggest import suggest
from services.api.nudges.texts import nudge_texts
from services.api.nudges.week import this_week
from services.api.routers.screen import templates
from services.api.schemas import ErrorMessage, errors
from services.api.text import OneLine
from shared.events import AdoptionGap, App
from shared.insight_tables import week_of
from shared.languages import Language

router = APIRouter(tags=["insights"])

NOT_FOUND = {"model": ErrorMessage, "description": "No such department or use case"}


class UseCaseShown(BaseModel):
    id: str
    title: str = Field(description="In the language asked for")
    prompt: str | None = Field(description="The first sample prompt, in that language")
    reason: Literal["confirmed", "library"] = Field(
        description="Most confirmed in the leading departments, or the library's first"
    )
    leaders: list[str] = Field(description="The departments where the app is used most")


class Posted(BaseModel):
    posted_at: datetime
    use_case: str


class NudgeShown(BaseModel):
    app: App
    department_rate: float = Field(ge=0, le=1)
    organisation_rate: float = Field(ge=0, le=1)
    gap_points: float = Field(description="Organisation's rate minus the department's, x 100")
    use_case: UseCaseShown | None = Field(description="None: the library has none for the app")
    posted: Posted | None = Field(description="When it was posted this week, if it was")


class DepartmentNudges(BaseModel):
    department: str
    nudges: list[NudgeShown]


class HiddenDepartment(BaseModel):
    department: str = Field(description="Empty for the people without a department")
    reason: Literal["small", "no_department"]


class Rule(BaseModel):
    weeks: int
    min_gap_points: int
    min_organisation_rate: float
    per_department: int
    min_group_size: int


class NudgeList(BaseModel):
    built: bool = Field(description="False: the cube holds no complete week yet")
    week: date = Field(description="The Monday of the week this list is for")
    since: date | None = Field(description="The first day of the weeks compared")
    until: date | None = Field(description="The last day of the weeks compared")
    weeks: int
    rule: Rule
    departments: list[DepartmentNudges]
    on_track: list[str] = Field(description="Shown departments with no gap this week")
    hidden: list[HiddenDepartment]


class PostBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{8,64}$")] = Field(
        description="Made by the client; the same id again returns the first post"
    )
    department: Annotated[OneLine, Field(min_length=1, max_length=256)]
    app: App
    use_case: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="A library use case")


class AlreadyPostedAnswer(BaseModel):
    detail: str
    posted_at: datetime | None = Field(
        default=None, description="For a second post the same week: when the first was made"
    )


CONFLICT = {
    "model": AlreadyPostedAnswer,
    "description": "Posted already this week (then with when), or no such gap this week",
}


class PostResult(BaseModel):
    department: str
    app: App
    week: date
    use_case: str
    tip: str = Field(description="The tip's id on the bus")
    posted_at: datetime
    gap: AdoptionGap


def _rule(weeks: int, min_group_size: int) -> Rule:
    return Rule(
        weeks=weeks,
        min_gap_points=MIN_GAP_POINTS,
        min_organisation_rate=float(MIN_ORGANISATION_RATE),
        per_department=PER_DEPARTMENT,
        min_group_size=min_group_size,
    )


def adoption_gap(gap: Gap, result: Nudges) -> AdoptionGap:
    return AdoptionGap(
        app=App(gap.app),
        department_rate=float(gap.department_rate),
        organisation_rate=float(gap.organisation_rate),
        weeks=result.window.weeks,
        until=result.window.until,
    )


async def _shown(
    session: AsyncSession, gap: Gap, result: Nudges, lang: Language, posted: NudgePost | None
) -> NudgeShown:
    found = await suggest(
        session, gap.department, gap.app, leaders(result, gap.app, besides=gap.department)
    )
    use_case = None
    if found is not None:
        content = found.use_case.read()
        prompts = content.prompts.get(lang)
        use_case = UseCaseShown(
            id=found.use_case.id,
            title=content.title.get(lang),
            prompt=prompts[0] if prompts else None,
            reason=found.reason,
            leaders=list(found.leaders) if found.reason == "confirmed" else [],
        )
    return NudgeShown(
        app=App(gap.app),
        department_rate=float(gap.department_rate),
        organisation_rate=float(gap.organisation_rate),
        gap_points=round(float(gap.points), 1),
        use_case=use_case,
        posted=None
        if posted is None
        else Posted(posted_at=as_utc(posted.posted_at), use_case=posted.use_case),
    )


async def listing(
    engine: AsyncEngine, today: date, min_group_size: int, lang: Language
) -> NudgeList:
    week = week_of(today)
    result = await this_week(engine, today, min_group_size)
    if result is None:
        return NudgeList(
            built=False,
            week=week,
            since=None,
            until=None,
            weeks=0,
            rule=_rule(0, min_group_size),
            departments=[],
            on_track=[],
            hidden=[],
        )
    async with AsyncSession(engine) as session:
        posted = await posts_of_week(session, week)
        departments = [
            DepartmentNudges(
                department=department,
                nudges=[
                    await _shown(session, gap, result, lang, posted.get((department, gap.app)))
                    for gap in gaps
                ],
            )
            for department, gaps in result.departments.items()
        ]
    return NudgeList(
        built=True,
        week=week,
        since=result.window.since,
        until=result.window.until,
        weeks=result.window.weeks,
        rule=_rule(result.window.weeks, min_group_size),
        departments=departments,
        on_track=result.on_track,
        hidden=[HiddenDepartment(department=h.department, reason=h.reason) for h in result.hidden],
    )


@router.get("/api/insights/nudges", response_model=NudgeList, responses=errors(401, 403))
async def nudge_list(
    resources: ResourcesDep, today: TodayDep, _: InsightsDep, lang: LangQuery = None
) -> NudgeList:
    """This week's nudges per department, the weeks compared and who is not shown."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    return await listing(resources.engine, today, settings.min_group_size, language)


@router.post(
    "/api/insights/nudges/post",
    response_model=PostResult,
    status_code=status.HTTP_201_CREATED,
    responses={**retried(PostResult), **errors(400, 401, 403, 413), 404: NOT_FOUND, 409: CONFLICT},
)
async def post_nudge(
    body: PostBody,
    response: Response,
    resources: ResourcesDep,
    today: TodayDep,
    now: NowDep,
    lead: InsightsDep,
) -> PostResult | JSONResponse:
    """Post one of this week's nudges to the department's channel, as a tip telling the
    gap (recomputed here). Once per department and app per week: a second post is 409
    with when the first was made."""
    if lead.person is None:
        raise HTTPException(403, "this token does not belong to a person")
    posted_by = lead.person
    week = week_of(today)
    result = await this_week(resources.engine, today, resources.settings.min_group_size)

    async def work(session: AsyncSession) -> tuple[NudgePost, bool]:
        again = await replayed(session, body.client_id, body.department, body.app.value, posted_by)
        if again is not None:
            return again, False  # what this click did the first time, whatever changed since
        if result is None:
            raise Refused(409, "no nudges yet: the adoption cube holds no complete week")
        hidden = {h.department for h in result.hidden}
        if body.department in hidden:
            raise Refused(409, f"{body.department} is not shown: too few licensed people")
        if body.department not in result.departments and body.department not in result.on_track:
            raise Refused(404, f"no department {body.department} in the adoption figures")
        gap = next(
            (g for g in result.departments.get(body.department, []) if g.app == body.app.value),
            None,
        )
        if gap is None:
            raise Refused(409, f"{body.department} has no nudge for {body.app.value} this week")
        use_case = await find(session, body.use_case)
        if use_case is None:
            raise Refused(404, "no use case with this id")
        if use_case.app != body.app.value:
            raise Refused(409, f"this use case is for {use_case.app}, not {body.app.value}")
        if use_case.department not in (None, body.department):
            raise Refused(409, "this use case is for another department")
        content = use_case.read()
        suggested = Suggested(
            id=use_case.id,
            titles=content.title.model_dump(),
            prompts=content.prompts.model_dump(),
        )
        return await post(
            session,
            client_id=body.client_id,
            department=body.department,
            week=week,
            gap=adoption_gap(gap, result),
            use_case=suggested,
            posted_by=posted_by,
            now=now,
        )

    try:
        row, created = await write(resources.engine, work)
    except AlreadyPosted as exc:
        answer = AlreadyPostedAnswer(detail=exc.detail, posted_at=as_utc(exc.post.posted_at))
        return JSONResponse(answer.model_dump(mode="json"), status_code=409)
    except Refused as exc:
        raise exc.http() from exc
    if not created:
        response.status_code = status.HTTP_200_OK
    return PostResult(
        department=row.department,
        app=App(row.app),
        week=row.week,
        use_case=row.use_case,
        tip=row.tip,
        posted_at=as_utc(row.posted_at),
        gap=row.gap,
    )


@router.get("/insights/nudges", response_class=HTMLResponse, tags=["pages"])
async def nudges_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """This week's nudges per department, for adoption leads."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    texts = page_texts(language) | nudge_texts(language)
    return templates.TemplateResponse(
        request,
        "nudges.html",
        {"lang": language, "t": texts, "texts": json.dumps(texts), "nav": "nudges"},
    )
