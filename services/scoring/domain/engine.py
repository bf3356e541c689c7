"""The rule engine: new signals plus what a person already has in, awards out.

Pure and deterministic. Points are paid per signal in activity order, clipped
by the daily cap; badges and levels are derived from the person's whole history
(the set of activity dates), so their achievement dates do not depend on the
order in which signals arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.scoring.domain.badges import achieved_badges
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.model import Award, AwardKind, History, Signal, award_key
from services.scoring.domain.rules import RuleSet


@dataclass(slots=True)
class PersonState:
    """What the ledger already holds for one person under the active rule-set version."""

    history: History = field(default_factory=History)
    paid_by_day: dict[date, int] = field(default_factory=dict)
    badges: set[str] = field(default_factory=set)
    levels: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.paid_by_day.values())


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The start of an org-local day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def points_award(rules: RuleSet, version: int, signal: Signal, paid_today: int) -> Award:
    """The points one signal earns, clipped so the person's day stays within the cap."""
    base = rules.points.base(signal.app, signal.kind)
    factor, bonuses = rules.multiplier(signal.app, signal.kind, signal.day)
    earned = round(base * factor)
    notes = [f"{base} for {signal.kind} in {signal.app}"]
    if bonuses:
        notes.append(f"x{factor:g} ({', '.join(bonuses)})")
    paid = earned
    cap = rules.points.daily_cap
    if cap is not None and paid_today + earned > cap:
        paid = max(0, cap - paid_today)
        notes.append(
            f"daily cap of {cap} reached"
            if paid == 0
            else f"daily cap of {cap}: {paid} of {earned}"
        )
    return Award(
        key=award_key(f"points.{signal.kind}", version, signal.event_id),
        kind=AwardKind.POINTS,
        rule=f"points.{signal.kind}",
        version=version,
        person=signal.person,
        day=signal.day,
        at=signal.at,
        points=paid,
        event_id=signal.event_id,
        app=signal.app,
        note="; ".join(notes),
    )


def first_day_reaching(by_day: dict[date, int], threshold: int) -> date | None:
    running = 0
    for day in sorted(by_day):
        running += by_day[day]
        if running >= threshold:
            return day
    return None


def level_awards(
    rules: RuleSet, version: int, person: str, state: PersonState, tz: ZoneInfo, trigger: str
) -> list[Award]:
    awards = []
    for level in sorted(rules.levels, key=lambda lv: lv.points):
        if level.points == 0 or level.level in state.levels:
            continue
        reached = first_day_reaching(state.paid_by_day, level.points)
        if reached is None:
            break
        state.levels.add(level.level)
        awards.append(
            Award(
                key=award_key("level", version, f"{person}:{level.level}"),
                kind=AwardKind.LEVEL,
                rule="level",
                version=version,
                person=person,
                day=reached,
                at=day_start(reached, tz),
                event_id=trigger,
                ref=str(level.level),
                title=level.title,
                note=f"{level.points} points reached",
            )
        )
    return awards


def badge_awards(
    rules: RuleSet,
    version: int,
    person: str,
    state: PersonState,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    trigger: str,
) -> list[Award]:
    awards = []
    found = achieved_badges(rules, calendar, state.history, state.paid_by_day, state.badges)
    for badge, reached in list(found):
        state.badges.add(badge.id)
        awards.append(
            Award(
                key=award_key(f"badge.{badge.id}", version, person),
                kind=AwardKind.BADGE,
                rule=f"badge.{badge.id}",
                version=version,
                person=person,
                day=reached,
                at=day_start(reached, tz),
                event_id=trigger,
                ref=badge.id,
                title=badge.title,
                note=f"{badge.type} badge",
            )
        )
    return awards


def score(
    rules: RuleSet,
    version: int,
    signals: Iterable[Signal],
    states: dict[str, PersonState],
    calendar: WorkCalendar,
    tz: ZoneInfo,
) -> list[Award]:
    """Award new ``signals`` (never seen before) against ``states``, which are updated."""
    by_person: dict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        by_person[signal.person].append(signal)
    awards: list[Award] = []
    for person in sorted(by_person):
        state = states.setdefault(person, PersonState())
        ordered = sorted(by_person[person], key=Signal.sort_key)
        for signal in ordered:
            award = points_award(rules, version, signal, state.paid_by_day.get(signal.day, 0))
            state.paid_by_day[signal.day] = state.paid_by_day.get(signal.day, 0) + award.points
            state.history.add(signal)
            awards.append(award)
        trigger = ordered[-1].event_id
        awards += badge_awards(rules, version, person, state, calendar, tz, trigger)
        awards += level_awards(rules, version, person, state, tz, trigger)
    return awards
