"""Writing boards to Redis: one Lua call per board key keeps totals, ticks and scores in step.

Beside each sorted set ``lb:...`` live two hashes, ``sc:sum:lb:...`` (raw totals)
and ``sc:tick:lb:...`` (latest activity minute), so a team's per-capita score can
be recomputed exactly when points arrive or the team's size changes. The score
itself follows :func:`shared.leaderboards.encode_score`.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis

from services.scoring.domain.boards import BoardDelta
from shared.leaderboards import KEY_PREFIX, SCALE, TIE_SPAN, Scope

SUM_PREFIX = "sc:sum:"
TICK_PREFIX = "sc:tick:"
STAGE_PREFIX = "stage:"
VERSION_KEY = "sc:version"  # the rule-set version the boards were built under
MEMBERS_PER_CALL = 2000

# KEYS: board, totals hash, ticks hash. ARGV: mode, scale, tie span, then
# (member, amount, tick, divisor) repeated. The score is computed here, once,
# for live updates and rebuilds alike, so both give identical bytes.
APPLY = """
local set_mode = ARGV[1] == 'set'
local scale = tonumber(ARGV[2])
local span = tonumber(ARGV[3])
for i = 4, #ARGV, 4 do
  local member = ARGV[i]
  local total
  if set_mode then
    total = tonumber(ARGV[i + 1])
    redis.call('HSET', KEYS[2], member, total)
  else
    total = redis.call('HINCRBY', KEYS[2], member, ARGV[i + 1])
  end
  local tick = tonumber(ARGV[i + 2])
  local known = tonumber(redis.call('HGET', KEYS[3], member) or '-1')
  if (not set_mode) and known > tick then tick = known end
  redis.call('HSET', KEYS[3], member, tick)
  if total > 0 then
    local divisor = tonumber(ARGV[i + 3])
    local value = math.floor(total * scale / divisor + 0.5)
    local score = value * span + (span - 1 - tick)
    redis.call('ZADD', KEYS[1], string.format('%.0f', score), member)
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return 1
"""


async def built_version(redis: Redis) -> int | None:
    value = await redis.get(VERSION_KEY)
    return None if value is None else int(value)


def companion_keys(board: str) -> tuple[str, str]:
    return SUM_PREFIX + board, TICK_PREFIX + board


async def apply(redis: Redis, delta: BoardDelta, *, mode: str = "incr", prefix: str = "") -> None:
    """Add (or, with ``mode="set"``, overwrite) the delta's entries in one pipeline."""
    if not delta.boards:
        return
    script = redis.register_script(APPLY)
    async with redis.pipeline(transaction=False) as pipe:
        for board, members in delta.boards.items():
            items = list(members.items())
            for start in range(0, len(items), MEMBERS_PER_CALL):
                args: list[str | int] = [mode, SCALE, TIE_SPAN]
                for member, entry in items[start : start + MEMBERS_PER_CALL]:
                    args += [member, entry.amount, max(entry.tick, 0), entry.divisor]
                keys = [prefix + board, *(prefix + k for k in companion_keys(board))]
                await script(keys=keys, args=args, client=pipe)
        await pipe.execute()


async def board_keys(redis: Redis, scope: Scope | None = None, prefix: str = "") -> list[str]:
    pattern = f"{prefix}{KEY_PREFIX}:{scope or '*'}:*"
    return sorted([_text(key) async for key in redis.scan_iter(match=pattern, count=1000)])


async def remove_members(redis: Redis, scope: Scope, members: Iterable[str]) -> None:
    """Take members off every board of a scope (before their entries are set again)."""
    names = list(members)
    if not names:
        return
    keys = await board_keys(redis, scope)
    async with redis.pipeline(transaction=False) as pipe:
        for board in keys:
            pipe.zrem(board, *names)
            for companion in companion_keys(board):
                pipe.hdel(companion, *names)
        await pipe.execute()


async def clear_stage(redis: Redis) -> None:
    keys = [key async for key in redis.scan_iter(match=f"{STAGE_PREFIX}*", count=1000)]
    for start in range(0, len(keys), 1000):
        await redis.delete(*keys[start : start + 1000])


async def swap_stage(redis: Redis) -> int:
    """Replace every live board by its staged copy in one transaction; returns boards."""
    staged = [
        _text(key)[len(STAGE_PREFIX) :]
        async for key in redis.scan_iter(match=f"{STAGE_PREFIX}*", count=1000)
    ]
    live = set(await board_keys(redis))
    live |= {_text(key) async for key in redis.scan_iter(match=f"{SUM_PREFIX}*", count=1000)}
    live |= {_text(key) async for key in redis.scan_iter(match=f"{TICK_PREFIX}*", count=1000)}
    async with redis.pipeline(transaction=True) as pipe:
        for key in live - set(staged):
            pipe.delete(key)
        for key in staged:
            pipe.rename(STAGE_PREFIX + key, key)
        await pipe.execute()
    return sum(1 for key in staged if key.startswith(f"{KEY_PREFIX}:"))


def _text(key: bytes | str) -> str:
    return key.decode() if isinstance(key, bytes) else key
