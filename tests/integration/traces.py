"""Where a person still shows: every SQL row, Redis key and stored stream message naming them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from redis.asyncio import Redis
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.store.privacy import PrivacyAudit
from shared.suppression import Suppression

# The audit trail and the suppression list hold the keyed pseudonym so that the erasure
# is accountable and sticks; nothing else about the person.
KEPT_BY_DESIGN = (PrivacyAudit.__tablename__, Suppression.__tablename__)


def _named(where: str, text: str, needles: Collection[str]) -> list[str]:
    return [f"{where}: {n}" for n in needles if n in text]


async def sql_traces(engine: AsyncEngine, needles: Collection[str]) -> list[str]:
    """Rows of every table (but those kept by design) whose values name a needle."""
    found: set[str] = set()
    async with engine.connect() as conn:
        meta = MetaData()
        await conn.run_sync(lambda sync: meta.reflect(sync))
        for name, table in meta.tables.items():
            if name in KEPT_BY_DESIGN:
                continue
            for row in await conn.execute(select(table)):
                found.update(_named(name, repr(tuple(row)), needles))
    return sorted(found)


async def redis_traces(redis: Redis, needles: Collection[str]) -> list[str]:
    """Keys, members, fields and values of every Redis key naming a needle."""
    found: set[str] = set()
    async for raw in redis.scan_iter(match="*", count=1000):
        key = raw.decode()
        raw_kind = await redis.type(key)
        kind = raw_kind.decode() if isinstance(raw_kind, bytes) else str(raw_kind)
        content: Any
        if kind == "zset":
            content = await redis.zrange(key, 0, -1)
        elif kind == "hash":
            content = await redis.hgetall(key)
        elif kind == "set":
            content = await redis.smembers(key)
        elif kind == "list":
            content = await redis.lrange(key, 0, -1)
        else:
            content = await redis.get(key)
        found.update(_named(f"redis {key}", key + repr(content), needles))
    return sorted(found)


async def stream_traces(js: JetStreamContext, needles: Collection[str]) -> list[str]:
    """Every stored message of every stream (KV buckets included), headers and body."""
    found: set[str] = set()
    for info in await js.streams_info():
        name, state = info.config.name, info.state
        if name is None or not state.messages:
            continue
        for seq in range(state.first_seq, state.last_seq + 1):
            try:
                msg = await js.get_msg(name, seq)
            except NotFoundError:
                continue  # deleted
            content = repr(msg.headers) + (msg.data or b"").decode(errors="replace")
            found.update(_named(f"{name} #{seq}", content, needles))
    return sorted(found)
