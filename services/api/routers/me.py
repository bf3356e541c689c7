"""The signed-in employee's own data: profile, and rank among neighbours."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.boards import PeriodError, read_neighbours, resolve_period
from services.api.deps import EmployeeDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery
from services.api.localized import profile_in_language
from services.api.my_progress import (
    MyProgress,
    StreakCalendar,
    calendar_of,
    progress_of,
    state_of,
)
from services.api.profiles import explain_day, profile_of
from services.api.routers.leaderboards import PeriodQuery, WindowQuery, period_error
from services.api.schemas import Board, DayExplanation, Profile, errors
from shared.people import Person
from shared.periods import Window

router = APIRouter(prefix="/api/me", tags=["me"], responses=errors(401, 403))


@router.get("", response_model=Profile)
async def my_profile(
    resources: ResourcesDep, today: TodayDep, me: EmployeeDep, lang: LangQuery = None
) -> Profile:
    """My points, ranks, level, badges, streak and the next goals within reach."""
    assert me.person is not None
    found = await profile_of(
        resources.redis,
        resources.engine,
        resources.rulebook,
        me.person,
        resources.settings.tz,
        today,
    )
    shown = me.person in (await resources.directory.snapshot()).names
    language = lang or resources.settings.api_default_lang
    return await profile_in_language(
        found.model_copy(update={"name_shown": shown}),
        resources.engine,
        resources.rulebook,
        language,
    )


@router.get("/days/{day}", response_model=DayExplanation, responses=errors(404))
async def explain_my_day(
    day: date, resources: ResourcesDep, today: TodayDep, me: EmployeeDep
) -> DayExplanation:
    """Why I got the points I got on one day: rules that paid, caps, streak and habit notes."""
    assert me.person is not None
    if day > today:
        raise HTTPException(404, "that day has not happened yet")
    found = await explain_day(
        resources.engine, resources.rulebook, me.person, day, resources.settings.tz
    )
    if found is None:
        raise HTTPException(404, "no rule set is published yet")
    return found


@router.get("/neighbours", response_model=Board)
async def my_neighbours(
    resources: ResourcesDep,
    today: TodayDep,
    me: EmployeeDep,
    window: WindowQuery = Window.WEEK,
    period: PeriodQuery = None,
    radius: Annotated[int, Query(ge=1, le=10, description="People either side")] = 3,
) -> Board:
    """Me and the people ranked just above and below me; names only when opted in."""
    assert me.person is not None
    try:
        resolved = resolve_period(window, period, today)
    except PeriodError as exc:
        raise period_error(exc) from exc
    snapshot = await resources.directory.snapshot()
    return await read_neighbours(resources.redis, snapshot, window, resolved, me.person, radius)


NO_RULES = "no rule set is published yet"


@router.get("/progress", response_model=MyProgress, responses=errors(404))
async def my_progress(
    resources: ResourcesDep, today: TodayDep, me: EmployeeDep, lang: LangQuery = None
) -> MyProgress:
    """The badges I have not earned yet, closest to done first, and my way to the next level."""
    assert me.person is not None
    found = await state_of(resources.engine, resources.rulebook, me.person)
    if found is None:
        raise HTTPException(404, NO_RULES)
    return progress_of(*found, today, lang or resources.settings.api_default_lang)


@router.get("/calendar", response_model=StreakCalendar, responses=errors(404))
async def my_calendar(
    resources: ResourcesDep,
    today: TodayDep,
    me: EmployeeDep,
    weeks: Annotated[int, Query(ge=1, le=53, description="Calendar weeks, this one last")] = 12,
) -> StreakCalendar:
    """My last weeks day by day: active, bridged by a freeze, missed, holiday or weekend."""
    assert me.person is not None
    found = await state_of(resources.engine, resources.rulebook, me.person)
    if found is None:
        raise HTTPException(404, NO_RULES)
    return calendar_of(*found, today, weeks)


class OptIn(BaseModel):
    opted_in: bool = Field(description="Show my name on boards and office screens")


@router.put("/opt-in", response_model=OptIn, responses=errors(400, 404, 413))
async def set_opt_in(body: OptIn, resources: ResourcesDep, me: EmployeeDep) -> OptIn:
    """Choose whether my name may appear on boards and screens (off by default)."""
    assert me.person is not None
    async with AsyncSession(resources.engine) as session:
        row = await session.get(Person, me.person)
        if row is None or row.removed:
            raise HTTPException(404, "you are not in the directory yet")
        row.opted_in = body.opted_in
        session.add(row)
        await session.commit()
    resources.directory.invalidate()
    resources.forget_boards()
    return body
