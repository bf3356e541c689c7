"""Leaderboards as Redis sorted sets: the key layout and the read queries.

One sorted set per scope and period (``lb:people:week:2026-W48``), so periods
never need resetting. Scores encode points and a tie-break: of two members with
equal points, the one who reached the total first ranks higher. The encoding
depends only on the ledger (sum of points, latest activity time), so a rebuild
from SQL reproduces every board exactly, whatever order events arrived in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import cast

from redis.asyncio import Redis

from shared.periods import Window

KEY_PREFIX = "lb"
TIE_SPAN = 100_000_000  # minutes: about 190 years after EPOCH
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SCALE = 100  # boards hold hundredths, so per-capita team scores keep two decimals


class Scope(StrEnum):
    PEOPLE = "people"
    TEAMS = "teams"
    DEPARTMENTS = "departments"


def board_key(scope: Scope, window: Window, period: str) -> str:
    return f"{KEY_PREFIX}:{scope}:{window}:{period}"


def minute_tick(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, min(TIE_SPAN - 1, int((moment - EPOCH).total_seconds() // 60)))


def encode_score(value: float, reached_at: datetime) -> float:
    """Sort key: value first, then earlier arrival at that value first."""
    return round(value * SCALE) * TIE_SPAN + (TIE_SPAN - 1 - minute_tick(reached_at))


def decode_value(score: float) -> float:
    return int(score // TIE_SPAN) / SCALE


@dataclass(frozen=True)
class Standing:
    member: str
    rank: int  # 1-based
    value: float


async def top(redis: Redis, key: str, n: int) -> list[Standing]:
    """The first ``n`` members of a board, best first."""
    rows = await _range(redis, key, 0, max(0, n - 1))
    return [
        Standing(_text(member), rank, decode_value(score))
        for rank, (member, score) in enumerate(rows, start=1)
    ]


async def around(redis: Redis, key: str, member: str, radius: int) -> list[Standing]:
    """A member with up to ``radius`` neighbours on each side; empty if not ranked."""
    rank = cast(int | None, await redis.zrevrank(key, member))
    if rank is None:
        return []
    start = max(0, rank - radius)
    rows = await _range(redis, key, start, rank + radius)
    return [
        Standing(_text(m), position, decode_value(score))
        for position, (m, score) in enumerate(rows, start=start + 1)
    ]


async def size(redis: Redis, key: str) -> int:
    return int(await redis.zcard(key))


async def _range(redis: Redis, key: str, start: int, stop: int) -> list[tuple[bytes, float]]:
    return cast(list[tuple[bytes, float]], await redis.zrevrange(key, start, stop, withscores=True))


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member
