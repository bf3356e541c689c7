"""Reading leaderboards for callers, with the privacy rules applied.

People are shown by name only when they opted in; everyone else is a numbered
colleague with no id, team or anything else to link them by. Team and
department boards leave out groups with fewer licensed members than the
minimum group size, and rank the rest among themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

from redis.asyncio import Redis

from services.api.directory import Snapshot
from services.api.schemas import Board, BoardEntry
from shared.leaderboards import Scope, Standing, board_key, decode_value
from shared.periods import Window, period_key

PERIOD_PATTERNS = {
    Window.DAY: re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    Window.WEEK: re.compile(r"^\d{4}-W\d{2}$"),
    Window.MONTH: re.compile(r"^\d{4}-\d{2}$"),
    Window.ALL: re.compile(r"^all$"),
    Window.SEASON: re.compile(r"^[A-Za-z0-9_.-]{1,64}$"),
    Window.CHALLENGE: re.compile(r"^[A-Za-z0-9_.-]{1,64}$"),
}
FIRST_PAGE_MARGIN = 5
MAX_PAGE = 1000


class PeriodError(ValueError):
    """The period does not fit the window."""


def resolve_period(window: Window, period: str | None, today: date) -> str:
    """The period key to read: the given one when valid, else the current one."""
    if period is None:
        if window in (Window.SEASON, Window.CHALLENGE):
            raise PeriodError(f"window '{window}' needs a period (the {window} id)")
        return period_key(window, today)
    if not PERIOD_PATTERNS[window].match(period):
        raise PeriodError(f"period '{period}' does not fit window '{window}'")
    return period


@dataclass(frozen=True)
class BoardQuery:
    scope: Scope
    window: Window
    period: str
    limit: int


def colleague_label(rank: int) -> str:
    return f"Colleague #{rank}"


async def read_board(
    redis: Redis, directory: Snapshot, query: BoardQuery, min_group_size: int
) -> Board:
    """The top ``limit`` rows a public caller may see."""
    key = board_key(query.scope, query.window, query.period)
    if query.scope is Scope.PEOPLE:
        entries, hidden = await _people(redis, key, directory, query.limit), 0
    else:
        entries, hidden = await _groups(redis, key, directory, query, min_group_size)
    return Board(
        scope=query.scope,
        window=query.window,
        period=query.period,
        unit="points" if query.scope is Scope.PEOPLE else "points_per_member",
        entries=entries,
        hidden_groups=hidden,
        generated_at=datetime.now(UTC),
    )


def person_entry(standing: Standing, rank: int, directory: Snapshot, me: str | None) -> BoardEntry:
    name = directory.name_of(standing.member)
    return BoardEntry(
        rank=rank,
        label=name or colleague_label(rank),
        name=name,
        value=standing.value,
        me=standing.member == me,
    )


async def _slice(redis: Redis, key: str, start: int, stop: int) -> list[Standing]:
    rows = cast(list[tuple[bytes, float]], await redis.zrevrange(key, start, stop, withscores=True))
    return [
        Standing(member.decode() if isinstance(member, bytes) else member, 0, decode_value(score))
        for member, score in rows
    ]


async def _visible(
    redis: Redis, key: str, keep: int, wanted: Callable[[Standing], bool]
) -> list[Standing]:
    """Walk the board in growing pages until ``keep`` standings pass ``wanted``.

    The first page is barely larger than asked for: parsing rows is the cost.
    """
    kept: list[Standing] = []
    start, page = 0, keep + FIRST_PAGE_MARGIN
    while len(kept) < keep:
        rows = await _slice(redis, key, start, start + page - 1)
        kept.extend(s for s in rows if wanted(s))
        if len(rows) < page:
            break
        start, page = start + page, min(page * 2, MAX_PAGE)
    return kept[:keep]


async def _people(redis: Redis, key: str, directory: Snapshot, limit: int) -> list[BoardEntry]:
    rows = await _visible(redis, key, limit, lambda s: s.member not in directory.removed)
    return [person_entry(s, rank, directory, None) for rank, s in enumerate(rows, start=1)]


async def _groups(
    redis: Redis, key: str, directory: Snapshot, query: BoardQuery, min_size: int
) -> tuple[list[BoardEntry], int]:
    # Group boards are short (one row per team), so read them whole to count what is hidden.
    everyone = await _slice(redis, key, 0, -1)
    shown = [s for s in everyone if directory.shown(query.scope, s.member, min_size)]
    rows = shown[: query.limit]
    entries = [
        BoardEntry(
            rank=rank,
            label=s.member,
            name=s.member,
            value=s.value,
            members=directory.group_size(query.scope, s.member),
        )
        for rank, s in enumerate(rows, start=1)
    ]
    return entries, len(everyone) - len(shown)


async def read_neighbours(
    redis: Redis, directory: Snapshot, window: Window, period: str, me: str, radius: int
) -> Board:
    """The caller and up to ``radius`` people either side, by their true rank."""
    key = board_key(Scope.PEOPLE, window, period)
    rank = cast(int | None, await redis.zrevrank(key, me))
    entries: list[BoardEntry] = []
    if rank is not None:
        start = max(0, rank - radius)
        rows = await _slice(redis, key, start, rank + radius)
        entries = [
            person_entry(s, position, directory, me)
            for position, s in enumerate(rows, start=start + 1)
            if s.member not in directory.removed or s.member == me
        ]
    return Board(
        scope=Scope.PEOPLE,
        window=window,
        period=period,
        unit="points",
        entries=entries,
        generated_at=datetime.now(UTC),
    )
