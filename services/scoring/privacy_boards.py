"""One person on the Redis boards: where they stand (export) and taking them off (erasure)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from shared.leaderboards import KEY_PREFIX, decode_value

STATE_PREFIX = "sc:tot:"  # per-member totals beside every board (see services.scoring.boards)
REVISIONS_KEY = "sc:rev"  # per-board write counter that board writers watch


async def _keys(redis: Redis, pattern: str) -> list[str]:
    return [
        k.decode() if isinstance(k, bytes) else k
        async for k in redis.scan_iter(match=pattern, count=1000)
    ]


async def positions(redis: Redis, person: str) -> list[dict[str, Any]]:
    """Every board the person is on, with value and rank (1 = top)."""
    boards = sorted(await _keys(redis, f"{KEY_PREFIX}:*"))
    async with redis.pipeline(transaction=False) as pipe:
        for board in boards:
            pipe.zscore(board, person)
            pipe.zrevrank(board, person)
        answers = await pipe.execute()
    out = []
    for i, board in enumerate(boards):
        score, rank = answers[2 * i], answers[2 * i + 1]
        if score is not None:
            out.append({"board": board, "value": decode_value(float(score)), "rank": int(rank) + 1})
    return out


async def erase(redis: Redis, person: str) -> int:
    """Take the person off every board and totals hash; returns the boards they were on.

    Each touched board's revision is bumped, so a scorer caching its totals re-reads it.
    """
    boards = await _keys(redis, f"{KEY_PREFIX}:*")
    async with redis.pipeline(transaction=False) as pipe:
        for board in boards:
            pipe.zscore(board, person)
            pipe.hexists(STATE_PREFIX + board, person)
        present = await pipe.execute()
    touched = [b for i, b in enumerate(boards) if present[2 * i] is not None or present[2 * i + 1]]
    # A totals hash whose board is gone (emptied) may still hold the person.
    live = set(boards)
    orphans = [
        s for s in await _keys(redis, f"{STATE_PREFIX}*") if s[len(STATE_PREFIX) :] not in live
    ]
    async with redis.pipeline(transaction=True) as pipe:
        for board in touched:
            pipe.zrem(board, person)
            pipe.hdel(STATE_PREFIX + board, person)
            pipe.hincrby(REVISIONS_KEY, board, 1)
        for state in orphans:
            pipe.hdel(state, person)
        await pipe.execute()
    return sum(1 for i, _ in enumerate(boards) if present[2 * i] is not None)
