"""Writing boards to Redis: one Lua call per board key keeps totals, ticks and scores in step.

Beside each sorted set ``lb:...`` lives a hash ``sc:tot:lb:...`` holding
"total:tick" per member (raw points and the latest activity minute), so a
team's per-capita score can be recomputed exactly when points arrive or the
team's size changes. The score
itself follows :func:`shared.leaderboards.encode_score`.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from redis.asyncio import Redis

from services.scoring.domain.boards import BoardDelta
from shared.leaderboards import KEY_PREFIX, SCALE, TIE_SPAN, Scope, board_key
from shared.periods import Window

STATE_PREFIX = "sc:tot:"
STAGE_PREFIX = "stage:"
VERSION_KEY = "sc:version"  # the rule-set version the boards were built under
REVISIONS_KEY = "sc:rev"  # per board: bumped by every write, so cached totals know they are stale
GENERATION_KEY = "sc:gen"  # bumped by every rebuild swap: all cached totals are stale
MEMBERS_PER_CALL = 2000

# KEYS: board, state hash. ARGV: mode, scale, tie span, and the entries as one
# JSON array of [member, amount, tick, divisor] (one argument decoded in C:
# thousands of small arguments cost more than the script itself). The state
# hash keeps "total:tick" per member, so a team's per-capita score can be
# recomputed exactly. The score is computed here, once, for live updates and
# rebuilds alike, so both give identical bytes.
APPLY = """
local set_mode = ARGV[1] == 'set'
local scale = tonumber(ARGV[2])
local span = tonumber(ARGV[3])
for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local member, total, tick, divisor = entry[1], entry[2], entry[3], entry[4]
  if not set_mode then
    local state = redis.call('HGET', KEYS[2], member)
    if state then
      local colon = string.find(state, ':', 1, true)
      total = total + tonumber(string.sub(state, 1, colon - 1))
      local known_tick = tonumber(string.sub(state, colon + 1))
      if known_tick > tick then tick = known_tick end
    end
  end
  redis.call('HSET', KEYS[2], member, string.format('%d:%d', total, tick))
  if total > 0 then
    local value = math.floor(total * scale / divisor + 0.5)
    local score = value * span + (span - 1 - tick)
    redis.call('ZADD', KEYS[1], string.format('%.0f', score), member)
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
if KEYS[3] then redis.call('HINCRBY', KEYS[3], KEYS[1], 1) end
return 1
"""


async def built_version(redis: Redis) -> int | None:
    value = await redis.get(VERSION_KEY)
    return None if value is None else int(value)


def state_key(board: str) -> str:
    """The hash of "total:tick" per member beside a board."""
    return STATE_PREFIX + board


async def apply(redis: Redis, delta: BoardDelta, *, mode: str = "incr", prefix: str = "") -> None:
    """Add (or, with ``mode="set"``, overwrite) the delta's entries in one pipeline."""
    if not delta.boards:
        return
    script = redis.register_script(APPLY)
    async with redis.pipeline(transaction=False) as pipe:
        for board, members in delta.boards.items():
            items = list(members.items())
            for start in range(0, len(items), MEMBERS_PER_CALL):
                packed = orjson.dumps(
                    [
                        (member, entry.amount, max(entry.tick, 0), entry.divisor)
                        for member, entry in items[start : start + MEMBERS_PER_CALL]
                    ]
                )
                args: list[str | int | bytes] = [mode, SCALE, TIE_SPAN, packed]
                keys = [prefix + board, prefix + state_key(board)]
                if not prefix:
                    keys.append(REVISIONS_KEY)  # live totals cached by a writer are now stale
                await script(keys=keys, args=args, client=pipe)
        await pipe.execute()


async def board_keys(redis: Redis, scope: Scope | None = None, prefix: str = "") -> list[str]:
    pattern = f"{prefix}{KEY_PREFIX}:{scope or '*'}:*"
    return sorted([_text(key) async for key in redis.scan_iter(match=pattern, count=1000)])


async def remove_members(redis: Redis, scope: Scope, members: Iterable[str]) -> None:
    """Take members off every board of a scope (before their entries are set again)."""
    names = sorted(set(members))
    if not names:
        return
    # Anyone ever on a board of this scope is in its all-time state hash.
    everywhere = state_key(board_key(scope, Window.ALL, "all"))
    present = await redis.hmget(everywhere, names)
    names = [name for name, state in zip(names, present, strict=True) if state is not None]
    if not names:
        return
    keys = await board_keys(redis, scope)
    async with redis.pipeline(transaction=False) as pipe:
        for board in keys:
            pipe.zrem(board, *names)
            pipe.hdel(state_key(board), *names)
            pipe.hincrby(REVISIONS_KEY, board, 1)
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
    live |= {_text(key) async for key in redis.scan_iter(match=f"{STATE_PREFIX}*", count=1000)}
    async with redis.pipeline(transaction=True) as pipe:
        for key in live - set(staged):
            pipe.delete(key)
        for key in staged:
            pipe.rename(STAGE_PREFIX + key, key)
        pipe.incr(GENERATION_KEY)
        await pipe.execute()
    return sum(1 for key in staged if key.startswith(f"{KEY_PREFIX}:"))


def _text(key: bytes | str) -> str:
    return key.decode() if isinstance(key, bytes) else key
