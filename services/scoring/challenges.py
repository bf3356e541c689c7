"""Closing challenges: once a challenge is decided, its winners are written down.

Winners are read from the challenge board, which is an exact projection of the
ledger; teams and departments below the challenge's minimum size cannot win.
Each winner is a ledger row keyed by challenge, rule-set version and winner, so
closing twice (two replicas, a restart) records and announces them once.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.announcements import challenge_event
from services.scoring.domain.engine import day_start
from services.scoring.domain.model import Award, AwardKind, award_key
from services.scoring.domain.rules import Challenge
from services.scoring.rulebook import ActiveRules
from services.scoring.store import directory, ledger
from shared import suppression
from shared.events import ChallengeCompleted
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window

SCOPES = {"person": Scope.PEOPLE, "team": Scope.TEAMS, "department": Scope.DEPARTMENTS}


async def closed_ids(engine: AsyncEngine, version: int) -> set[str]:
    table = ledger.LEDGER
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(table.c.ref)
            .where(table.c.ruleset_version == version, table.c.kind == str(AwardKind.CHALLENGE))
            .distinct()
        )
        return {row[0] for row in rows}


async def winners(
    redis: Redis, challenge: Challenge, sizes: directory.GroupSizes
) -> list[tuple[str, int, float]]:
    """(member, rank, value) of the first ``winners`` eligible members."""
    scope = SCOPES[challenge.scope]
    standings = await top(redis, board_key(scope, Window.CHALLENGE, challenge.id), 1000)
    chosen: list[tuple[str, int, float]] = []
    group_sizes = sizes.teams if scope == Scope.TEAMS else sizes.departments
    for standing in standings:
        if scope != Scope.PEOPLE and group_sizes.get(standing.member, 0) < challenge.min_size:
            continue
        if standing.value <= 0:
            break
        chosen.append((standing.member, len(chosen) + 1, standing.value))
        if len(chosen) == challenge.winners:
            break
    return chosen


async def close_finished(
    engine: AsyncEngine, redis: Redis, active: ActiveRules, tz: ZoneInfo, today: date
) -> list[ChallengeCompleted]:
    """Record the winners of every challenge decided by ``today``; returns new ones.

    A challenge is decided ``settle_days`` after its last day, once late usage data
    is in, so its winners follow from all the facts of its window.
    """
    finished = [c for c in active.rules.challenges if c.decided_on() <= today]
    if not finished:
        return []
    done = await closed_ids(engine, active.version)
    pending = [c for c in finished if c.id not in done]
    if not pending:
        return []
    async with engine.connect() as conn:
        sizes = await directory.group_sizes(conn)
    awards: list[tuple[Award, str, int, float]] = []
    for challenge in pending:
        for member, rank, value in await winners(redis, challenge, sizes):
            award = Award(
                key=award_key(f"challenge.{challenge.id}", active.version, member),
                kind=AwardKind.CHALLENGE,
                rule=f"challenge.{challenge.id}",
                version=active.version,
                person=member,
                day=challenge.end,
                at=day_start(challenge.end, tz),
                ref=challenge.id,
                title=challenge.title,
                note=f"{challenge.scope} rank {rank} with {value:g} ({challenge.metric})",
            )
            awards.append((award, challenge.scope, rank, value))
    async with engine.begin() as conn:
        await suppression.hold(conn)  # an erased person wins nothing
        erased = await suppression.among(conn, [a.person for a, scope, *_ in awards])
        awards = [entry for entry in awards if entry[0].person not in erased]
        written = await ledger.insert_awards(conn, [a for a, *_ in awards])
        members = await directory.memberships(
            conn, [a.person for a, scope, *_ in awards if scope == "person"]
        )
    return [
        challenge_event(award, members.get(award.person), scope, award.person, rank, value)  # type: ignore[arg-type]
        for award, scope, rank, value in awards
        if award.key in written
    ]
