"""Replaying stored signals under a rule set: the whole ledger a version would have written.

Scoring needs every signal of a person at once, but no person's awards depend on
another's. A replay for an admin (preview, publish) therefore reads the signals of
a group of people at a time, at most ``max_signals`` (more only when one person alone
has more), and scores each group in a worker thread, so the event loop keeps serving
and memory stays bounded however large the history grows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.engine import PersonState, rejudge, score
from services.scoring.domain.model import Award, Signal
from services.scoring.domain.recognition import Grant, count_in, grant_awards
from services.scoring.domain.rules import RuleSet
from services.scoring.store import ledger, recognition

# About 100 k stored signals (a few hundred bytes each once read) per step of a replay.
REPLAY_SIGNALS = 100_000


def replay(
    signals: Sequence[Signal],
    rules: RuleSet,
    version: int,
    tz: ZoneInfo,
    grants: Sequence[Grant] = (),
) -> list[Award]:
    """Score every signal and grant from scratch, in activity order, as one batch.

    Grants pay as they were given (and revocations take them back), whatever the rules.
    """
    states: dict[str, PersonState] = {}
    awards = [a for grant in grants for a in grant_awards(grant, version, tz)]
    triggers: dict[str, str] = {}
    for award in awards:
        count_in(states.setdefault(award.person, PersonState()), award)
        triggers[award.person] = award.event_id or ""
    ordered = sorted(signals, key=Signal.sort_key)
    awards += score(rules, version, ordered, states, WorkCalendar(rules.calendar), tz)
    if triggers:
        awards += rejudge(rules, version, triggers, states, tz, triggers).new
    return awards


def groups_of_people(counts: Mapping[str, int], max_signals: int) -> list[list[str]]:
    """People in order, grouped so that a group holds at most ``max_signals`` signals,
    except a person who alone has more."""
    groups: list[list[str]] = []
    group: list[str] = []
    held = 0
    for person in sorted(counts):
        if group and held + counts[person] > max_signals:
            groups.append(group)
            group, held = [], 0
        group.append(person)
        held += counts[person]
    if group:
        groups.append(group)
    return groups


@dataclass(frozen=True)
class Part:
    signals: int
    awards: list[Award]


async def replay_in_parts(
    conn: AsyncConnection,
    rules: RuleSet,
    version: int,
    tz: ZoneInfo,
    max_signals: int = REPLAY_SIGNALS,
) -> AsyncIterator[Part]:
    """The awards of replaying every stored signal and grant, one group of people at a time."""
    table = ledger.SIGNALS
    rows = await conn.execute(select(table.c.person, func.count()).group_by(table.c.person))
    counts = {person: int(count) for person, count in rows}
    for person, granted in (await recognition.counts(conn)).items():
        counts[person] = counts.get(person, 0) + granted
    for people in groups_of_people(counts, max_signals):
        signals = await ledger.load_signals(conn, people)
        grants = await recognition.load(conn, people)
        awards = await asyncio.to_thread(replay, signals, rules, version, tz, grants)
        yield Part(len(signals), awards)
