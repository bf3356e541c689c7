"""Public leaderboards: people (names only when opted in), teams and departments per capita."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from services.api.boards import BoardQuery, PeriodError, read_board, resolve_period
from services.api.deps import BoardContext, BoardContextDep
from services.api.schemas import Board, errors
from shared.leaderboards import Scope
from shared.periods import Window

router = APIRouter(prefix="/api/leaderboards", tags=["leaderboards"], responses=errors(401))

WindowQuery = Annotated[Window, Query(description="Which period: day, week, month, all, ...")]
PeriodQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="A past period (2026-11-26, 2026-W48, 2026-11); required for season and "
        "challenge",
    ),
]
LimitQuery = Annotated[int, Query(ge=1, le=100, description="How many rows")]


def period_error(exc: PeriodError) -> HTTPException:
    return HTTPException(
        422, [{"loc": ["query", "period"], "msg": str(exc), "type": "value_error"}]
    )


async def board_response(
    context: BoardContext,
    scope: Scope,
    window: Window,
    period: str | None,
    limit: int,
) -> Response:
    resources = context.resources
    try:
        key = BoardQuery(scope, window, resolve_period(window, period, context.today), limit)
    except PeriodError as exc:
        raise period_error(exc) from exc

    async def render() -> bytes:
        snapshot = await resources.directory.snapshot()
        board = await read_board(resources.redis, snapshot, key, resources.settings.min_group_size)
        return board.model_dump_json().encode()

    return Response(await resources.boards.get(key, render), media_type="application/json")


@router.get("/people", response_model=Board)
async def people_board(
    context: BoardContextDep,
    window: WindowQuery = Window.ALL,
    period: PeriodQuery = None,
    limit: LimitQuery = 10,
) -> Response:
    """Top people of a period; names only for those who opted in."""
    return await board_response(context, Scope.PEOPLE, window, period, limit)


@router.get("/teams", response_model=Board)
async def teams_board(
    context: BoardContextDep,
    window: WindowQuery = Window.ALL,
    period: PeriodQuery = None,
    limit: LimitQuery = 10,
) -> Response:
    """Teams by points per licensed member; small teams hidden."""
    return await board_response(context, Scope.TEAMS, window, period, limit)


@router.get("/departments", response_model=Board)
async def departments_board(
    context: BoardContextDep,
    window: WindowQuery = Window.ALL,
    period: PeriodQuery = None,
    limit: LimitQuery = 10,
) -> Response:
    """Departments by points per licensed member; small departments hidden."""
    return await board_response(context, Scope.DEPARTMENTS, window, period, limit)
