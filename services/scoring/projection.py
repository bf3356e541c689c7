"""Boards recomputed from the ledger: for a few people and groups, or for everything.

Live updates add deltas; this module sets absolute values from SQL, so it
repairs boards after a failure between the ledger commit and Redis, after a
directory change, and rebuilds all of them after Redis was flushed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring import boards
from services.scoring.domain.boards import BoardDelta, Fact, Group, Seen, contribute
from services.scoring.rulebook import ActiveRules
from services.scoring.store import directory, ledger
from shared.leaderboards import KEY_PREFIX, Scope


def groups_for(
    persons: Iterable[str],
    members: dict[str, directory.Membership],
    sizes: directory.GroupSizes,
) -> dict[str, Group]:
    """Where each person's points go; removed people go nowhere."""
    out: dict[str, Group] = {}
    for person in persons:
        member = members.get(person)
        if member is None:
            out[person] = Group(None, None)
        elif not member.removed:
            out[person] = Group(
                member.team,
                member.department,
                sizes.teams.get(member.team or "", 0),
                sizes.departments.get(member.department or "", 0),
            )
    return out


async def compute(
    conn: AsyncConnection, active: ActiveRules, persons: Iterable[str] | None
) -> BoardDelta:
    """Every board entry the ledger implies for ``persons`` (everyone when None)."""
    chosen = None if persons is None else sorted(set(persons))
    rows = await ledger.person_day_totals(conn, active.version, chosen)
    rows.sort(key=lambda row: (row[0], row[1], row[4] or ""))
    members = await directory.memberships(conn, {row[0] for row in rows})
    sizes = await directory.group_sizes(conn)
    groups = groups_for({row[0] for row in rows}, members, sizes)
    facts = (Fact(person, day, points, at, app) for person, day, points, at, app in rows)
    return contribute(facts, active.rules, groups, Seen(), BoardDelta())


def _only(delta: BoardDelta, keep: Callable[[Scope, str], bool]) -> BoardDelta:
    out = BoardDelta()
    for key, members in delta.boards.items():
        scope = Scope(key.split(":")[1])
        chosen = {m: e for m, e in members.items() if keep(scope, m)}
        if chosen:
            out.boards[key] = chosen
    return out


async def refresh(
    engine: AsyncEngine,
    redis: Redis,
    active: ActiveRules,
    people: set[str],
    teams: set[str],
    departments: set[str],
) -> None:
    """Set exact board entries for these people, teams and departments."""
    if not (people or teams or departments):
        return
    async with engine.connect() as conn:
        persons = people | await directory.members_of(conn, teams, departments)
        delta = await compute(conn, active, persons)
    targets = {Scope.PEOPLE: people, Scope.TEAMS: teams, Scope.DEPARTMENTS: departments}
    exact = _only(delta, lambda scope, member: member in targets[scope])
    for scope, members in targets.items():
        await boards.remove_members(redis, scope, members)
    await boards.apply(redis, exact, mode="set")


async def rebuild(
    engine: AsyncEngine,
    redis: Redis,
    active: ActiveRules,
    progress: Callable[[str], None] = lambda _: None,
) -> int:
    """Recompute every board from the ledger into staging keys, then swap them in at once.

    Interrupting it leaves the live boards untouched; the next run clears the stage.
    """
    await boards.clear_stage(redis)
    progress("reading the ledger")
    async with engine.connect() as conn:
        delta = await compute(conn, active, None)
    progress(f"writing {len(delta.boards)} boards, {len(delta)} entries")
    for done, key in enumerate(sorted(delta.boards), start=1):
        part = BoardDelta({key: delta.boards[key]})
        await boards.apply(redis, part, mode="set", prefix=boards.STAGE_PREFIX)
        if done % 50 == 0:
            progress(f"{done}/{len(delta.boards)} boards staged")
    await redis.set(boards.STAGE_PREFIX + boards.VERSION_KEY, active.version)
    swapped = await boards.swap_stage(redis)
    progress(f"swapped in {swapped} boards under {KEY_PREFIX}:*")
    return swapped
