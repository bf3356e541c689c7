"""Live board updates from totals kept in process: one ZADD and one HSET per entry.

Each board's "total:tick" hash (see :mod:`services.scoring.boards`) is read once
into memory; afterwards a batch's aggregated deltas become absolute scores
computed here, and the whole batch is written by one Lua call that only sets
values (no per-entry reads in Redis). The call first checks that nothing else
wrote the boards since they were cached - the per-board revision in
``sc:rev``, the hash length, and the rebuild generation ``sc:gen`` - and
writes nothing if something did; the stale boards are then read again and the
batch retried. So repairs, rebuilds, erasures and other replicas stay exact.
The scores are the same numbers the Lua of ``boards.APPLY`` computes.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import orjson
from redis.asyncio import Redis

from services.scoring.boards import GENERATION_KEY, REVISIONS_KEY, state_key
from services.scoring.domain.boards import BoardDelta
from shared.leaderboards import SCALE, TIE_SPAN

TICK_BITS = 27  # a tick (minutes since EPOCH) is below TIE_SPAN < 2**27
TICK_MASK = (1 << TICK_BITS) - 1
CHUNK = 4000  # arguments per redis.call: under Lua's unpack limit, even (pairs)
ATTEMPTS = 5
MAX_CACHED = 1_000_000  # entries, about 75 bytes each; beyond it idle boards are dropped

# KEYS: revisions hash, generation, then board and state hash per board.
# ARGV: the generation the cache follows, and one JSON array with per board
# [revision, length, zadd arguments, zrem members, hset arguments]: one
# argument decoded in C costs far less than a million small ones (scores are
# strings: Lua would print large numbers with 14 digits).
WRITE = """
local generation = redis.call('GET', KEYS[2]) or ''
if generation ~= ARGV[1] then return {-1} end
local boards = cjson.decode(ARGV[2])
local stale = {}
for i, board in ipairs(boards) do
  local revision = redis.call('HGET', KEYS[1], KEYS[1 + 2 * i]) or ''
  if revision ~= board[1] or redis.call('HLEN', KEYS[2 + 2 * i]) ~= board[2] then
    stale[#stale + 1] = i
  end
end
if #stale > 0 then return stale end
local function call(command, key, args)
  local first, last = 1, #args
  while first <= last do
    local stop = math.min(first + CHUNK - 1, last)
    redis.call(command, key, unpack(args, first, stop))
    first = stop + 1
  end
end
for i, board in ipairs(boards) do
  call('ZADD', KEYS[1 + 2 * i], board[3])
  call('ZREM', KEYS[1 + 2 * i], board[4])
  call('HSET', KEYS[2 + 2 * i], board[5])
  redis.call('HINCRBY', KEYS[1], KEYS[1 + 2 * i], 1)
end
return {0}
""".replace("CHUNK", str(CHUNK))


@dataclass(slots=True)
class Cached:
    """A board's members as (total << TICK_BITS | tick), and the revision they match."""

    revision: str
    members: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Pending:
    """One batch's writes, computed from the cache but not yet in it."""

    keys: list[str] = field(default_factory=list)
    boards: list[tuple[str, int, list[str], list[str], list[str]]] = field(default_factory=list)
    updates: dict[str, dict[str, int]] = field(default_factory=dict)


class LiveBoards:
    """Adds batches of board deltas; the only in-process state is a cache of Redis."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._script = redis.register_script(WRITE)
        self._boards: dict[str, Cached] = {}
        self._generation: str | None = None
        self._entries = 0

    def forget(self) -> None:
        self._boards.clear()
        self._generation = None
        self._entries = 0

    def _drop(self, name: str) -> None:
        cached = self._boards.pop(name, None)
        if cached is not None:
            self._entries -= len(cached.members)

    async def apply(self, delta: BoardDelta) -> None:
        if not delta.boards:
            return
        for _ in range(ATTEMPTS):
            await self._load(list(delta.boards))
            pending = self._plan(delta)
            args: list[str | bytes] = [self._generation or "", orjson.dumps(pending.boards)]
            answer = await self._script(keys=pending.keys, args=args)
            codes = [int(code) for code in answer]
            if codes == [0]:
                for board, updates in pending.updates.items():
                    cached = self._boards[board]
                    before = len(cached.members)
                    cached.members.update(updates)
                    self._entries += len(cached.members) - before
                    cached.revision = str(int(cached.revision or 0) + 1)
                if self._entries > MAX_CACHED:
                    for name in [name for name in self._boards if name not in delta.boards]:
                        self._drop(name)
                return
            if codes == [-1]:
                self.forget()
                continue
            names = list(delta.boards)
            for index in codes:
                self._drop(names[index - 1])
        raise RuntimeError("boards kept changing while being written")

    async def _load(self, names: list[str]) -> None:
        """Read the boards not cached yet (and everything again after a rebuild)."""
        while True:
            missing = [name for name in names if name not in self._boards]
            if not missing:
                return
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.get(GENERATION_KEY)
                for name in missing:
                    pipe.hgetall(state_key(name))
                    pipe.hget(REVISIONS_KEY, name)
                answers = await pipe.execute()
            generation = _text(answers[0]) if answers[0] is not None else ""
            if generation != self._generation:
                self.forget()
                self._generation = generation
            for i, name in enumerate(missing):
                state, revision = answers[1 + 2 * i], answers[2 + 2 * i]
                members: dict[str, int] = {}
                for member, value in state.items():
                    total, _, tick = _text(value).partition(":")
                    members[sys.intern(_text(member))] = (int(total) << TICK_BITS) | int(tick)
                self._boards[name] = Cached("" if revision is None else _text(revision), members)
                self._entries += len(members)

    def _plan(self, delta: BoardDelta) -> Pending:
        pending = Pending(keys=[REVISIONS_KEY, GENERATION_KEY])
        for board, entries in delta.boards.items():
            cached = self._boards[board]
            known = cached.members
            updates: dict[str, int] = {}
            zadd: list[str] = []
            zrem: list[str] = []
            hset: list[str] = []
            for member, entry in entries.items():
                tick = entry.tick if entry.tick > 0 else 0
                total = entry.amount
                old = known.get(member)
                if old is None:
                    member = sys.intern(member)  # one string per person across all boards
                else:
                    total += old >> TICK_BITS
                    old_tick = old & TICK_MASK
                    if old_tick > tick:
                        tick = old_tick
                updates[member] = (total << TICK_BITS) | tick
                hset += (member, f"{total}:{tick}")
                if total > 0:
                    value = math.floor(total * SCALE / entry.divisor + 0.5)
                    zadd += (str(value * TIE_SPAN + (TIE_SPAN - 1 - tick)), member)
                else:
                    zrem.append(member)
            pending.keys += (board, state_key(board))
            pending.boards.append((cached.revision, len(known), zadd, zrem, hset))
            pending.updates[board] = updates
        return pending


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
