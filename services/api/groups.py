"""One team's or department's standing: rank, per-capita points, active rate, contributions.

Members who did not opt in are counted, never listed: their points are added up as
"others". Groups below the minimum size are not shown at all, and a sum over fewer
unnamed members than the minimum is never shown either (``shared.small_groups``):
then nobody is listed and every contribution counts as "others".
"""

from __future__ import annotations

from typing import cast

from redis.asyncio import Redis

from services.api.directory import Snapshot
from services.api.schemas import Contributor, GroupStanding
from shared.leaderboards import Scope, board_key, decode_value
from shared.periods import Window
from shared.small_groups import remainder_shown


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member


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
    if not directory.shown(scope, group, min_size):
        return None
    members = {p for p in directory.memberships if directory.group_of(scope, p) == group}
    # Scoring files the points of everyone still here under their group, licensed or not.
    counted = sorted(members | set(directory.in_group(scope, group)))
    group_key = board_key(scope, window, period)
    people_key = board_key(Scope.PEOPLE, window, period)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zscore(group_key, group)
        pipe.zrevrange(group_key, 0, -1)
        pipe.zmscore(people_key, counted)
        score, ranked, points = await pipe.execute()
    visible = [
        _text(m)
        for m in cast(list[bytes | str], ranked)
        if directory.shown(scope, _text(m), min_size)
    ]
    contributions = {
        person: decode_value(value)
        for person, value in zip(counted, cast(list[float | None], points), strict=True)
        if value is not None
    }
    active = sum(p in members for p in contributions)
    # Decided on membership and consent alone, so that every window hides the same.
    unnamed = sum(p not in directory.names for p in counted)
    names = directory.names if remainder_shown(unnamed, min_size) else {}
    named = sorted(
        (Contributor(name=names[p], points=v) for p, v in contributions.items() if p in names),
        key=lambda c: (-c.points, c.name),
    )
    others = {p: v for p, v in contributions.items() if p not in names}
    return GroupStanding(
        scope=scope,
        group=group,
        window=window,
        period=period,
        rank=visible.index(group) + 1 if group in visible else None,
        points_per_member=decode_value(score) if score is not None else 0.0,
        members=len(members),
        active=active,
        active_rate=round(active / len(members), 4),
        named=named,
        others=len(others),
        others_points=round(sum(others.values()), 2),
    )
