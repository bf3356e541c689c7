"""Digests: a burst folded into one card, and the weekly review with its champion spotlight."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.channels import Channel
from services.notify.facts import (
    BadgeFacts,
    BurstFacts,
    Count,
    LevelFacts,
    SpotlightFacts,
    TeamScore,
    WeeklyFacts,
    dump_facts,
    load_facts,
)
from services.notify.models import OutboxEntry, SeenAward, Status, as_utc
from services.notify.outbox import enqueue
from services.notify.status import FOLDED
from shared.people import Person

if TYPE_CHECKING:
    from services.notify.dispatcher import Policy

PERSONAL_KINDS = ("badge", "level", "challenge")
BURST_PEOPLE = 50
TOP = 5


async def fold_burst(session: AsyncSession, channel: Channel, now: datetime) -> str | None:
    """Replace every due personal notification of ``channel`` by one digest; returns its key."""
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.channel == channel.name)
        .where(OutboxEntry.status == Status.PENDING)
        .where(OutboxEntry.not_before <= as_utc(now))
        .where(col(OutboxEntry.kind).in_(PERSONAL_KINDS))
        .order_by(col(OutboxEntry.id))
    )
    entries = list((await session.exec(query)).all())
    if not entries:
        return None
    titles: Counter[str] = Counter()
    teams: Counter[str] = Counter()
    people: list[str] = []
    for entry in entries:
        facts = load_facts(entry.facts)
        if isinstance(facts, BadgeFacts | LevelFacts):
            titles[facts.title] += 1
        else:
            titles[getattr(facts, "title", entry.kind)] += 1
        team = getattr(facts, "team", None)
        if team:
            teams[team] += 1
        person = getattr(facts, "person", None)
        if person and person not in people and len(people) < BURST_PEOPLE:
            people.append(person)
    burst = BurstFacts(
        total=len(entries),
        titles=[Count(label=k, count=v) for k, v in titles.most_common(TOP)],
        teams=[Count(label=k, count=v) for k, v in teams.most_common(TOP)],
        people=people,
    )
    key = f"{channel.name}:burst:{entries[0].id}-{entries[-1].id}"
    ids = [e.id for e in entries]
    await enqueue(session, [_entry(channel, key, "burst", dump_facts(burst), now)])
    await session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id).in_(ids))
        .values(status=Status.FOLDED, folded_into=key)
    )
    await session.commit()
    FOLDED.inc(len(ids))
    return key


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
    sizes = Counter(p.team for p in people if p.team and not p.removed)
    this_week: defaultdict[str, int] = defaultdict(int)
    last_week: defaultdict[str, int] = defaultdict(int)
    by_person: defaultdict[str, int] = defaultdict(int)
    badges: defaultdict[str, list[str]] = defaultdict(list)
    habits: list[str] = []
    for award in awards:
        current = award.activity_date >= monday
        if award.team and sizes[award.team] >= min_group_size:
            (this_week if current else last_week)[award.team] += award.points
        if not current:
            continue
        by_person[award.person] += award.points
        if award.kind == "badge" and award.title:
            badges[award.person].append(award.title)
            if award.badge and "habit" in award.badge:
                habits.append(award.person)
    per_capita = {team: pts / sizes[team] for team, pts in this_week.items()}
    top = sorted(per_capita.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    climb = {t: v - last_week.get(t, 0) / sizes[t] for t, v in per_capita.items()}
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
            badges=badges[person][:TOP],
        )
    return weekly, spotlight
