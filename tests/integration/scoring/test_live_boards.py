"""Live board writes from cached totals equal the Lua update and notice other writers."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from services.scoring import boards, live_boards
from services.scoring.domain.boards import BoardDelta
from services.scoring.live_boards import LiveBoards

BOARD = "lb:teams:all:all"
PEOPLE = "lb:people:all:all"


def delta(*entries: tuple[str, str, int, int, int]) -> BoardDelta:
    out = BoardDelta()
    for board, member, amount, tick, divisor in entries:
        out.add(board, member, amount, tick, divisor)
    return out


async def board(redis: Redis, key: str) -> tuple[list[tuple[str, float]], dict[str, str]]:
    scores: Any = await redis.zrange(key, 0, -1, withscores=True)
    state = await redis.hgetall(boards.state_key(key))
    return (
        [(_text(member), score) for member, score in scores],
        {_text(k): _text(v) for k, v in state.items()},
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


BATCHES = [
    delta(("B", "Red", 7, 100, 3), ("B", "Blue", 5, 90, 4), ("P", "p-1", 7, 100, 1)),
    delta(("B", "Red", 3, 80, 3), ("B", "Green", 0, 70, 2), ("P", "p-1", 0, 120, 1)),
    delta(("B", "Blue", 11, 150, 4), ("P", "p-2", 9, 60, 1), ("P", "p-1", 2, 50, 1)),
]


def named(batch: BoardDelta, prefix: str) -> BoardDelta:
    out = BoardDelta()
    for key, members in batch.boards.items():
        out.boards[prefix + (BOARD if key == "B" else PEOPLE)] = dict(members)
    return out


async def test_cached_totals_give_the_bytes_of_the_lua_update(redis: Redis) -> None:
    live = LiveBoards(redis)
    for batch in BATCHES:
        await live.apply(named(batch, ""))
        await boards.apply(redis, named(batch, "ref:"))
    for key in (BOARD, PEOPLE):
        assert await board(redis, key) == await board(redis, "ref:" + key)
    scores, state = await board(redis, BOARD)
    assert state == {"Red": "10:100", "Blue": "16:150", "Green": "0:70"}
    assert [m for m, _ in scores] == ["Red", "Blue"]  # lowest first; Green has nothing


async def test_a_repair_by_another_writer_is_read_again(redis: Redis) -> None:
    live = LiveBoards(redis)
    await live.apply(named(BATCHES[0], ""))
    # An exact repair (as projection.refresh does) sets Red to 40 behind the cache's back.
    await boards.apply(redis, delta((BOARD, "Red", 40, 300, 3)), mode="set")
    await live.apply(delta((BOARD, "Red", 2, 10, 3)))
    _, state = await board(redis, BOARD)
    assert state["Red"] == "42:300"


async def test_an_erased_member_does_not_come_back_with_old_points(redis: Redis) -> None:
    live = LiveBoards(redis)
    await live.apply(named(BATCHES[0], ""))
    # An erasure removes the member from boards and totals without telling anyone.
    await redis.zrem(PEOPLE, "p-1")
    await redis.hdel(boards.state_key(PEOPLE), "p-1")
    await live.apply(delta((PEOPLE, "p-1", 3, 500, 1)))
    _, state = await board(redis, PEOPLE)
    assert state == {"p-1": "3:500"}


async def test_a_rebuild_or_flush_makes_the_cache_start_over(redis: Redis) -> None:
    live = LiveBoards(redis)
    await live.apply(named(BATCHES[0], ""))
    await redis.flushdb()
    await live.apply(delta((BOARD, "Red", 1, 5, 3)))
    assert (await board(redis, BOARD))[1] == {"Red": "1:5"}
    # A rebuild swaps staged boards in and bumps the generation.
    await boards.apply(
        redis, delta((BOARD, "Red", 20, 9, 3)), mode="set", prefix=boards.STAGE_PREFIX
    )
    await boards.swap_stage(redis)
    await live.apply(delta((BOARD, "Red", 1, 5, 3)))
    assert (await board(redis, BOARD))[1] == {"Red": "21:9"}


async def test_boards_dropped_from_a_full_cache_are_read_again(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_boards, "MAX_CACHED", 1)
    live = LiveBoards(redis)
    for batch in [*BATCHES, *BATCHES]:
        for key, members in named(batch, "").boards.items():
            # One board per call, so the other one is dropped each time.
            await live.apply(BoardDelta({key: dict(members)}))
        await boards.apply(redis, named(batch, "ref:"))
    for key in (BOARD, PEOPLE):
        assert await board(redis, key) == await board(redis, "ref:" + key)
