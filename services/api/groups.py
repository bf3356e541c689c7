"""One team's or department's standing: rank, per-capita points, active rate, contributions.

Members who did not opt in are counted, never listed: their points are added
up as "others". Groups below the minimum size are not shown at all.
"""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis

from services.api.directory import Snapshot
from services.api.schemas import Contributor, GroupStanding
from shared.leaderboards import Scope, board_key, decode_value
from shared.periods import Window


async def group_standing(
    redis: Redis,
    directory: Snapshot,
    scope: Scope,
    group: str,
    window: Window,
    period: str,
    min_size: int,
) -> GroupStanding | None:
    """None when the group is unknown or too small to show."""
    members = [p for p in directory.memberships if directory.group_of(scope, p) == group]
    if len(members) < max(min_size, 1):
        return None
    group_key = board_key(scope, window, period)
    people_key = board_key(Scope.PEOPLE, window, period)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zscore(group_key, group)
        pipe.zrevrange(group_key, 0, -1)
        pipe.zmscore(people_key, members)
        score, ranked, points = await pipe.execute()
    visible = [
        m.decode() if isinstance(m, bytes) else m
        for m in cast(list[bytes | str], ranked)
        if directory.group_size(scope, m.decode() if isinstance(m, bytes) else m) >= min_size
    ]
    contributions = {
        person: decode_value(value)
        for person, value in zip(members, cast(list[float | None], points), strict=True)
        if value is not None
    }
    named = sorted(
        (
            Contributor(name=directory.names[p], points=v)
            for p, v in contributions.items()
            if p in directory.names
        ),
        key=lambda c: (-c.points, c.name),
    )
    others = {p: v for p, v in contributions.items() if p not in directory.names}
    return GroupStanding(
        scope=scope,
        group=group,
        window=window,
        period=period,
        rank=visible.index(group) + 1 if group in visible else None,
        points_per_member=decode_value(score) if score is not None else 0.0,
        members=len(members),
        active=len(contributions),
        active_rate=round(len(contributions) / len(members), 4),
        named=named,
        others=len(others),
        others_points=round(sum(others.values()), 2),
    )
