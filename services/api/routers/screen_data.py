"""What the office screen shows besides the boards: adoption, celebrations, the challenge,
the latest kudos. (Stories and check-in codes come from their own routers.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.boards import BoardQuery, read_board
from services.api.community.kudos import Kudos
from services.api.deps import BoardReaderDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery
from services.api.insights import current_figures
from services.api.localized import celebration_in
from services.api.schemas import ActiveChallenge, Adoption, Celebration, errors
from shared.leaderboards import Scope
from shared.periods import Window

KUDOS_DAYS = 14  # how far back the screen's kudos reach
CHALLENGE_SCOPES = {"person": Scope.PEOPLE, "team": Scope.TEAMS, "department": Scope.DEPARTMENTS}

router = APIRouter(prefix="/api/screen", tags=["screen"], responses=errors(401))


@router.get("/adoption", response_model=Adoption)
async def adoption(resources: ResourcesDep, today: TodayDep, _: BoardReaderDep) -> Adoption:
    """Licensed colleagues and how many used Copilot in the last 7 days (shared.adoption)."""
    figures = await current_figures(
        resources.engine, resources.directory, resources.insights, today
    )
    return figures.people


@router.get("/celebrations", response_model=list[Celebration])
async def celebrations(
    resources: ResourcesDep, _: BoardReaderDep, lang: LangQuery = None
) -> list[Celebration]:
    """The latest badges, levels and challenge wins this replica has seen."""
    language = lang or resources.settings.api_default_lang
    return [celebration_in(Celebration.model_validate(c), language) for c in resources.live.recent]


@router.get("/challenge", response_model=ActiveChallenge | None)
async def challenge(
    resources: ResourcesDep, today: TodayDep, _: BoardReaderDep, lang: LangQuery = None
) -> ActiveChallenge | None:
    """The challenge running now, with its standings; null when none runs."""
    running = await resources.published.running(today)
    if running is None:
        return None
    scope = CHALLENGE_SCOPES[running.scope]
    board = await read_board(
        resources.redis,
        await resources.directory.snapshot(),
        BoardQuery(scope, Window.CHALLENGE, running.id, resources.settings.board_size),
        resources.settings.min_group_size,
    )
    return ActiveChallenge(
        id=running.id,
        title=running.title.in_language(lang or resources.settings.api_default_lang),
        titles=running.title.every(),
        scope=running.scope,
        metric=running.metric,
        ends_at=running.ends_at(resources.settings.tz),
        board=board,
    )


class ScreenKudos(BaseModel):
    """A kudos as an office screen may show it."""

    id: str
    value: str
    giver: str | None = Field(description="The giver's name, only when they opted in")
    receiver: str | None = Field(description="The receiver's name, only when they opted in")
    message: str | None = Field(
        description="Only when both are named and the receiver has not hidden it"
    )
    at: datetime


@router.get("/kudos", response_model=list[ScreenKudos])
async def kudos(
    resources: ResourcesDep,
    _: BoardReaderDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> list[ScreenKudos]:
    """The latest kudos of the last two weeks; names only of people who opted in."""
    since = datetime.now(UTC) - timedelta(days=KUDOS_DAYS)
    async with AsyncSession(resources.engine) as session:
        rows = (
            await session.exec(
                select(Kudos)
                .where(col(Kudos.created_at) >= since)
                .order_by(col(Kudos.created_at).desc(), col(Kudos.id))
                .limit(limit)
            )
        ).all()
    snapshot = await resources.directory.snapshot()
    shown = []
    for row in rows:
        giver, receiver = snapshot.name_of(row.giver), snapshot.name_of(row.receiver)
        named = giver is not None and receiver is not None
        shown.append(
            ScreenKudos(
                id=row.id,
                value=row.value,
                giver=giver,
                receiver=receiver,
                message=row.message if named and row.message and not row.hidden else None,
                at=row.created_at,
            )
        )
    return shown
