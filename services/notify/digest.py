"""Digests: a burst folded into one card, and the weekly review with its champion spotlight.

A backfill reaches notify as several intake batches over seconds or minutes, each
due on its own; a burst digest therefore stays open for a fold window
(``NOTIFY_FOLD_SECONDS``) and takes every personal card that comes due on its
channel meanwhile, so the whole backfill is one digest rather than one per batch.
A :class:`Fold` says which cards fold into which digest: awards into ``burst``
(:data:`AWARDS_FOLD`), kudos into their own (:mod:`services.notify.kudos_fold`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.channels import Channel
from services.notify.facts import (
    PERSONAL,
    BurstFacts,
    Count,
    Facts,
    Label,
    SpotlightFacts,
    TeamScore,
    WeeklyFacts,
    dump_facts,
    load_facts,
)
from services.notify.models import OutboxEntry, SeenAward, SeenTitles, Status, as_utc
from services.notify.outbox import count_due, enqueue
from services.notify.status import FOLDED
from shared.people import Person
from shared.small_groups import GroupSizes

if TYPE_CHECKING:
    from services.notify.dispatcher import Policy

PERSONAL_KINDS = ("badge", "level", "challenge")
BURST_PEOPLE = 50
TOP = 5
# A digest stays open this long after it folded its first cards, taking every personal
# card that comes due on its channel meanwhile, and goes out when it closes.
FOLD_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Fold:
    """Cards of ``kinds`` that fold into one digest of kind ``digest`` when many are due."""

    digest: str
    kinds: tuple[str, ...]
    of: Callable[[Sequence[OutboxEntry]], Facts]  # the digest of some cards
    merged: Callable[[Facts, Facts], Facts]  # a digest with more cards folded in


async def pending_digest(
    session: AsyncSession, channel: str, kind: str = "burst"
) -> OutboxEntry | None:
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.channel == channel)
        .where(OutboxEntry.kind == kind)
        .where(OutboxEntry.status == Status.PENDING)
        .order_by(col(OutboxEntry.id))
        .limit(1)
    )
    return (await session.exec(query)).first()


def is_open(digest: OutboxEntry, now: datetime, window: timedelta) -> bool:
    """Whether ``digest`` still takes cards: its window runs and nobody has claimed it.

    A digest is stored with ``not_before`` one window after ``created_at``; a claim,
    a retry or a release only ever moves ``not_before`` later, and only once it is due.
    """
    not_before, created = as_utc(digest.not_before), as_utc(digest.created_at)
    return as_utc(now) < not_before and not_before - created <= window


async def fold_burst(
    session: AsyncSession,
    channel: Channel,
    now: datetime,
    *,
    threshold: int = 0,
    window: timedelta = FOLD_WINDOW,
    fold: Fold | None = None,
) -> bool:
    """Fold the channel's due cards of ``fold`` (awards: personal cards) into its digest;
    whether they must wait.

    At most one digest of a kind per channel is pending. While its window runs, every
    due card of its kinds is folded into it; once the window closed, cards wait until it
    has gone out, so two digests of a channel go out at least ``window`` apart.
    Without a pending digest, more than ``threshold`` due cards open a new one.
    Returns True while a digest is pending: those cards are then not sent alone.
    """
    fold = fold or AWARDS_FOLD
    digest = await pending_digest(session, channel.name, fold.digest)
    if digest is not None and not is_open(digest, now, window):
        return True
    if digest is None:
        due = await count_due(session, channel.name, now, fold.kinds)
        if due <= threshold:
            return False
    entries = await _due_of(session, channel.name, now, fold.kinds)
    if not entries:
        return digest is not None
    folded = fold.of(entries)
    if digest is None:
        key = f"{channel.name}:{fold.digest}:{entries[0].id}-{entries[-1].id}"
        row = _entry(channel, key, fold.digest, dump_facts(folded), now)
        row.not_before = as_utc(now) + window
        await enqueue(session, [row])
    else:
        key = digest.key
        before = load_facts(digest.facts)
        # Only a digest nobody claimed meanwhile takes more cards.
        taken = await session.exec(
            update(OutboxEntry)
            .where(col(OutboxEntry.id) == digest.id)
            .where(col(OutboxEntry.status) == Status.PENDING)
            .where(col(OutboxEntry.not_before) == digest.not_before)
            .values(facts=dump_facts(fold.merged(before, folded)))
        )
        if int(taken.rowcount or 0) != 1:
            await session.rollback()
            return True
    ids = [e.id for e in entries]
    result = await session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id).in_(ids))
        .where(col(OutboxEntry.status) == Status.PENDING)
        .values(status=Status.FOLDED, folded_into=key)
    )
    if int(result.rowcount or 0) != len(ids):
        await session.rollback()  # another dispatcher took some of them: try next round
        return True
    await session.commit()
    FOLDED.inc(len(ids))
    return True


async def _due_of(
    session: AsyncSession, channel: str, now: datetime, kinds: Sequence[str]
) -> list[OutboxEntry]:
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.channel == channel)
        .where(OutboxEntry.status == Status.PENDING)
        .where(OutboxEntry.not_before <= as_utc(now))
        .where(col(OutboxEntry.kind).in_(kinds))
        .order_by(col(OutboxEntry.id))
    )
    return list((await session.exec(query)).all())


def burst_of(entries: Sequence[OutboxEntry]) -> BurstFacts:
    """The digest of these personal cards: every title and team counted, the first people."""
    titles: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
    teams: Counter[str] = Counter()
    people: list[str] = []
    for entry in entries:
        facts = load_facts(entry.facts)
        if isinstance(facts, PERSONAL):
            titles[(facts.title, tuple(sorted(facts.titles.items())))] += 1
        else:
            titles[(entry.kind, ())] += 1
        team = getattr(facts, "team", None)
        if team:
            teams[team] += 1
        person = getattr(facts, "person", None)
        if person and person not in people and len(people) < BURST_PEOPLE:
            people.append(person)
    return BurstFacts(
        total=len(entries),
        titles=_ranked(Count(label=k, count=n, titles=dict(t)) for (k, t), n in titles.items()),
        teams=_ranked(Count(label=k, count=n) for k, n in teams.items()),
        people=people,
    )


def merged(first: BurstFacts, then: BurstFacts) -> BurstFacts:
    """One digest of the cards of both: counts added, the first people kept."""

    def add(a: list[Count], b: list[Count]) -> list[Count]:
        counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        for count in [*a, *b]:
            counts[(count.label, tuple(sorted(count.titles.items())))] += count.count
        return _ranked(Count(label=k, count=n, titles=dict(t)) for (k, t), n in counts.items())

    people = list(dict.fromkeys([*first.people, *then.people]))[:BURST_PEOPLE]
    return BurstFacts(
        total=first.total + then.total,
        titles=add(first.titles, then.titles),
        teams=add(first.teams, then.teams),
        people=people,
    )


def _ranked(counts: Iterable[Count]) -> list[Count]:
    return sorted(counts, key=lambda c: (-c.count, c.label))


def _merged_bursts(first: Facts, then: Facts) -> Facts:
    assert isinstance(first, BurstFacts) and isinstance(then, BurstFacts)
    return merged(first, then)


AWARDS_FOLD = Fold("burst", PERSONAL_KINDS, burst_of, _merged_bursts)


def _entry(channel: Channel, key: str, kind: str, facts: str, now: datetime) -> OutboxEntry:
    now = as_utc(now)
    return OutboxEntry(
        key=key, channel=channel.name, kind=kind, facts=facts, not_before=now, created_at=now
    )


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def schedule_weekly(
    session: AsyncSession, channels: Sequence[Channel], now: datetime, policy: Policy
) -> None:
    """On the digest day and hour, store last week's review (and spotlight) for each channel."""
    local = now.astimezone(policy.quiet.tz)
    if local.weekday() != policy.digest_weekday or local.hour < policy.digest_hour:
        return
    monday = local.date() - timedelta(days=local.weekday() + 7)
    await enqueue_weekly(session, channels, monday, now, policy.min_group_size)


async def enqueue_weekly(
    session: AsyncSession,
    channels: Sequence[Channel],
    monday: date,
    now: datetime,
    min_group_size: int,
) -> list[str]:
    """Store the review of the week starting ``monday`` once per channel; returns new keys."""
    week = iso_week(monday)
    added: list[str] = []
    for channel in channels:
        if "weekly" not in channel.kinds:
            continue
        key = f"{channel.name}:weekly:{week}"
        if await _exists(session, key):
            continue
        weekly, spotlight = await weekly_facts(session, channel, monday, min_group_size)
        rows = [_entry(channel, key, "weekly", dump_facts(weekly), now)]
        if spotlight is not None and "spotlight" in channel.kinds:
            spot = f"{channel.name}:spotlight:{week}"
            rows.append(_entry(channel, spot, "spotlight", dump_facts(spotlight), now))
        await enqueue(session, rows)
        added += [row.key for row in rows]
    await session.commit()
    return added


async def _exists(session: AsyncSession, key: str) -> bool:
    query = select(OutboxEntry.id).where(OutboxEntry.key == key)
    return (await session.exec(query)).first() is not None


async def weekly_facts(
    session: AsyncSession, channel: Channel, monday: date, min_group_size: int
) -> tuple[WeeklyFacts, SpotlightFacts | None]:
    week_end = monday + timedelta(days=6)
    before = monday - timedelta(days=7)
    query = (
        select(SeenAward)
        .where(SeenAward.activity_date >= before)
        .where(SeenAward.activity_date <= week_end)
    )
    if channel.departments is not None:
        query = query.where(col(SeenAward.department).in_(channel.departments))
    awards = list((await session.exec(query)).all())
    people = list((await session.exec(select(Person).where(Person.licensed))).all())
    sizes = GroupSizes.of((p.team, p.department) for p in people if not p.removed)
    this_week: defaultdict[str, int] = defaultdict(int)
    last_week: defaultdict[str, int] = defaultdict(int)
    by_person: defaultdict[str, int] = defaultdict(int)
    badges: defaultdict[str, list[SeenAward]] = defaultdict(list)
    habits: list[str] = []
    for award in awards:
        current = award.activity_date >= monday
        if award.team and sizes.team_shown(award.team, min_group_size):
            (this_week if current else last_week)[award.team] += award.points
        if not current:
            continue
        by_person[award.person] += award.points
        if award.kind == "badge" and award.title:
            badges[award.person].append(award)
            if award.badge and "habit" in award.badge:
                habits.append(award.person)
    per_capita = {team: pts / sizes.teams[team] for team, pts in this_week.items()}
    top = sorted(per_capita.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    climb = {t: v - last_week.get(t, 0) / sizes.teams[t] for t, v in per_capita.items()}
    climbers = [(t, d) for t, d in sorted(climb.items(), key=lambda kv: (-kv[1], kv[0])) if d > 0]
    weekly = WeeklyFacts(
        week=iso_week(monday),
        top_teams=[TeamScore(team=t, value=round(v, 1)) for t, v in top],
        climbers=[TeamScore(team=t, value=round(d, 1)) for t, d in climbers[:3]],
        new_habits=len(habits),
        habit_people=habits[:BURST_PEOPLE],
    )
    opted = {p.person: p for p in people if p.opted_in and not p.removed}
    ranked = sorted(
        ((pts, person) for person, pts in by_person.items() if person in opted and pts > 0),
        key=lambda item: (-item[0], item[1]),
    )
    spotlight = None
    if ranked:
        points, person = ranked[0]
        spotlight = SpotlightFacts(
            week=weekly.week,
            person=person,
            team=opted[person].team,
            points=points,
            badges=await _labels(session, badges[person][:TOP]),
        )
    return weekly, spotlight


async def _labels(session: AsyncSession, awards: list[SeenAward]) -> list[Label | str]:
    """Badge titles with their languages, where the rule set gave more than one."""
    ids = [award.event_id for award in awards]
    query = select(SeenTitles).where(col(SeenTitles.event_id).in_(ids))
    known = {row.event_id: json.loads(row.titles) for row in (await session.exec(query)).all()}
    return [
        Label(title=award.title or "", titles=known.get(award.event_id, {})) for award in awards
    ]
