"""What the office screen shows besides the boards: adoption, celebrations, the challenge."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.boards import BoardQuery, read_board
from services.api.deps import BoardReaderDep, ResourcesDep, TodayDep
from services.api.schemas import ActiveChallenge, Adoption, Celebration, errors
from shared.leaderboards import Scope, board_key, size
from shared.periods import Window, period_key

CHALLENGE_SCOPES = {"person": Scope.PEOPLE, "team": Scope.TEAMS, "department": Scope.DEPARTMENTS}

router = APIRouter(prefix="/api/screen", tags=["screen"], responses=errors(401))


@router.get("/adoption", response_model=Adoption)
async def adoption(resources: ResourcesDep, today: TodayDep, _: BoardReaderDep) -> Adoption:
    """Licensed colleagues and how many used Copilot this week."""
    week = period_key(Window.WEEK, today)
    snapshot = await resources.directory.snapshot()
    on_board = await size(resources.redis, board_key(Scope.PEOPLE, Window.WEEK, week))
    active = min(on_board, snapshot.licensed)
    rate = active / snapshot.licensed if snapshot.licensed else 0.0
    return Adoption(period=week, licensed=snapshot.licensed, active=active, active_rate=rate)


@router.get("/celebrations", response_model=list[Celebration])
async def celebrations(resources: ResourcesDep, _: BoardReaderDep) -> list[Celebration]:
    """The latest badges, levels and challenge wins this replica has seen."""
    return [Celebration.model_validate(item) for item in resources.live.recent]


@router.get("/challenge", response_model=ActiveChallenge | None)
async def challenge(
    resources: ResourcesDep, today: TodayDep, _: BoardReaderDep
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
        title=running.title,
        scope=running.scope,
        ends_at=running.ends_at(resources.settings.tz),
        board=board,
    )
