"""What the office screen shows besides the boards: adoption, celebrations, the challenge."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.boards import BoardQuery, read_board
from services.api.deps import BoardReaderDep, ResourcesDep, TodayDep
from services.api.i18n import LangQuery
from services.api.insights import current_figures
from services.api.localized import celebration_in
from services.api.schemas import ActiveChallenge, Adoption, Celebration, errors
from shared.leaderboards import Scope
from shared.periods import Window

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
