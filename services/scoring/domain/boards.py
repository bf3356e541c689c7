"""Which board entries a points fact moves: the same function serves live updates and rebuilds.

A fact is the points one person earned on one day in one app. It counts on the
person's day, week, month, season and all-time boards, on their team's and
department's (per licensed member), and on every challenge whose window holds
the day. Challenge metrics other than points count a day, an app or a person
once per window, which ``Seen`` remembers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.scoring.domain.model import History
from services.scoring.domain.rules import Challenge, RuleSet
from shared.leaderboards import Scope, board_key, minute_tick
from shared.periods import CALENDAR_WINDOWS, Window, period_key

RATE_SCALE = 100  # an active member counts 100, so a team's value reads as a percentage


@dataclass(frozen=True, slots=True)
class Fact:
    person: str
    day: date
    points: int
    at: datetime
    app: str | None


@dataclass(frozen=True, slots=True)
class Group:
    """Where a person's points are filed besides their own boards; None: nowhere."""

    team: str | None
    department: str | None
    team_size: int = 1
    department_size: int = 1


@dataclass(slots=True)
class Seen:
    """Challenge units already counted: (person, challenge, unit)."""

    units: set[tuple[str, str, str]] = field(default_factory=set)

    def first(self, person: str, challenge: str, unit: str) -> bool:
        key = (person, challenge, unit)
        if key in self.units:
            return False
        self.units.add(key)
        return True


@dataclass(slots=True)
class Entry:
    amount: int = 0
    tick: int = -1
    divisor: int = 1


@dataclass(slots=True)
class BoardDelta:
    """Per board key, per member: an amount to add (or set), the latest tick, the divisor."""

    boards: dict[str, dict[str, Entry]] = field(default_factory=dict)

    def add(self, key: str, member: str, amount: int, tick: int, divisor: int = 1) -> None:
        members = self.boards.get(key)
        if members is None:
            members = self.boards[key] = {}
        entry = members.get(member)
        if entry is None:
            members[member] = Entry(amount, tick, divisor if divisor > 1 else 1)
            return
        entry.amount += amount
        if tick > entry.tick:
            entry.tick = tick

    def __len__(self) -> int:
        return sum(len(members) for members in self.boards.values())


def seen_from_history(rules: RuleSet, person: str, history: History, seen: Seen) -> None:
    """Mark the challenge units a person had already counted before new facts arrive."""
    for challenge in rules.challenges:
        if challenge.metric == "points":
            continue
        for day, apps in history.apps_by_day.items():
            if not challenge.contains(day):
                continue
            for app in apps:
                unit = challenge_unit(challenge, Fact(person, day, 0, datetime.min, app))
                if unit is not None:
                    seen.units.add((person, challenge.id, unit))


def challenge_unit(challenge: Challenge, fact: Fact) -> str | None:
    match challenge.metric:
        case "active_days":
            return fact.day.isoformat()
        case "distinct_apps":
            return fact.app
        case "active_rate":
            return "active"
    return None


def challenge_amount(challenge: Challenge, fact: Fact, seen: Seen) -> int:
    if challenge.metric == "points":
        return fact.points
    unit = challenge_unit(challenge, fact)
    if unit is None or not seen.first(fact.person, challenge.id, unit):
        return 0
    return RATE_SCALE if challenge.metric == "active_rate" else 1


def contribute(
    facts: Iterable[Fact],
    rules: RuleSet,
    groups: dict[str, Group],
    seen: Seen,
    delta: BoardDelta,
) -> BoardDelta:
    """Add each fact to every board it belongs on; people absent from ``groups`` are skipped."""
    keys_by_day: dict[tuple[Scope, date], list[str]] = {}
    challenges_by_day: dict[date, list[Challenge]] = {}

    def keys(scope: Scope, day: date) -> list[str]:
        found = keys_by_day.get((scope, day))
        if found is None:
            periods = [(w, period_key(w, day)) for w in CALENDAR_WINDOWS]
            periods += [(Window.SEASON, s.id) for s in rules.seasons_of(day)]
            found = keys_by_day[(scope, day)] = [board_key(scope, w, p) for w, p in periods]
        return found

    for fact in facts:
        group = groups.get(fact.person)
        if group is None:
            continue
        tick = minute_tick(fact.at)
        for key in keys(Scope.PEOPLE, fact.day):
            delta.add(key, fact.person, fact.points, tick)
        if group.team:
            for key in keys(Scope.TEAMS, fact.day):
                delta.add(key, group.team, fact.points, tick, group.team_size)
        if group.department:
            for key in keys(Scope.DEPARTMENTS, fact.day):
                delta.add(key, group.department, fact.points, tick, group.department_size)
        running = challenges_by_day.get(fact.day)
        if running is None:
            running = challenges_by_day[fact.day] = [
                c for c in rules.challenges if c.contains(fact.day)
            ]
        for challenge in running:
            amount = challenge_amount(challenge, fact, seen)
            c_scope, c_member, c_divisor = _challenge_target(challenge, fact.person, group)
            if c_member is not None:
                key = board_key(c_scope, Window.CHALLENGE, challenge.id)
                delta.add(key, c_member, amount, tick, c_divisor)
    return delta


def _challenge_target(
    challenge: Challenge, person: str, group: Group
) -> tuple[Scope, str | None, int]:
    if challenge.scope == "team":
        return Scope.TEAMS, group.team, group.team_size
    if challenge.scope == "department":
        return Scope.DEPARTMENTS, group.department, group.department_size
    return Scope.PEOPLE, person, 1
