"""Which board entries a points fact moves: the same function serves live updates and rebuilds.

A fact is the points one person earned on one day in one app (no app: points granted
for something else, such as a champion event; they count as points only). It counts on the
person's day, week, month, season and all-time boards, on their team's and
department's (per licensed member), and on every challenge whose window holds
the day. Challenge metrics other than points count a day, an app or a person
once per window, which ``Seen`` remembers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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
    by_day = history.apps_by_day
    if not by_day:
        return
    units = seen.units
    for challenge in rules.challenges:
        metric = challenge.metric
        if metric == "points":
            continue
        cid, start, end = challenge.id, challenge.start, challenge.end
        for day, apps in by_day.items():
            if not (start <= day <= end) or not apps:
                continue
            if metric == "active_days":
                units.add((person, cid, day.isoformat()))
            elif metric == "active_rate":
                units.add((person, cid, "active"))
            elif metric == "distinct_apps":
                for app in apps:
                    if app is not None:
                        units.add((person, cid, app))


_POINTS, _ACTIVE_DAYS, _DISTINCT_APPS, _ACTIVE_RATE, _OTHER = range(5)
_METRICS = {
    "points": _POINTS,
    "active_days": _ACTIVE_DAYS,
    "distinct_apps": _DISTINCT_APPS,
    "active_rate": _ACTIVE_RATE,
}
_TEAM, _DEPARTMENT, _PERSON = range(3)

Members = dict[str, Entry]
# A sum of facts bound for the same boards and member, under (member, day) or
# (member, challenge board): [amount, latest tick, the boards' member tables,
# the divisor of its first fact].
_Sums = dict[tuple[str, Any], list[Any]]


class _Running:
    """A challenge as ``contribute`` needs it: codes for metric and scope, its board."""

    __slots__ = ("id", "key", "metric", "scope", "table")

    def __init__(self, challenge: Challenge) -> None:
        self.id = challenge.id
        self.metric = _METRICS.get(challenge.metric, _OTHER)
        if challenge.scope == "team":
            self.scope, scope = _TEAM, Scope.TEAMS
        elif challenge.scope == "department":
            self.scope, scope = _DEPARTMENT, Scope.DEPARTMENTS
        else:
            self.scope, scope = _PERSON, Scope.PEOPLE
        self.key = board_key(scope, Window.CHALLENGE, challenge.id)
        self.table: list[Members] | None = None  # the board, once it has an entry


class _Day:
    """One day's boards per scope (created on first use) and its running challenges."""

    __slots__ = ("boards", "challenges", "day", "iso", "make")

    def __init__(
        self, day: date, challenges: list[_Running], make: Callable[[Scope, date], list[Members]]
    ) -> None:
        self.day = day
        self.challenges = challenges
        self.make = make
        self.boards: dict[Scope, list[Members]] = {}
        self.iso: str | None = None

    def tables(self, scope: Scope) -> list[Members]:
        """The member tables of ``scope``'s boards that hold this day."""
        found = self.boards.get(scope)
        if found is None:
            found = self.boards[scope] = self.make(scope, self.day)
        return found


def contribute(
    facts: Iterable[Fact],
    rules: RuleSet,
    groups: dict[str, Group],
    seen: Seen,
    delta: BoardDelta,
) -> BoardDelta:
    """Add each fact to every board it belongs on; people absent from ``groups`` are skipped.

    Facts are summed first - per person and day, per team and day, per department
    and day, per challenge and member - and each sum is added to its boards once.
    A board only ever gets sums of one kind, added in the order of their first
    facts, and a board is created when the first sum bound for it is, in the order
    its keys come. So ``delta`` ends up exactly as adding fact by fact would leave
    it: the same amounts, latest ticks, the divisor of each entry's first fact,
    even the same order of boards and members.
    """
    boards = delta.boards
    units = seen.units
    challenges = [(c, _Running(c)) for c in rules.challenges]
    days: dict[date, _Day] = {}
    ticks: dict[datetime, int] = {}
    people: _Sums = {}
    teams: _Sums = {}
    departments: _Sums = {}
    challenge_sums: _Sums = {}

    def tables(scope: Scope, day: date) -> list[Members]:
        keys = _board_keys(scope, day, rules)
        return [boards.setdefault(key, {}) for key in keys]

    for fact in facts:
        person = fact.person
        group = groups.get(person)
        if group is None:
            continue
        day, points, at = fact.day, fact.points, fact.at
        # Equal wall times in one zone compare equal whatever their fold: no memo then.
        tick = None if at.fold else ticks.get(at)
        if tick is None:
            tick = minute_tick(at)
            if not at.fold:
                ticks[at] = tick
        today = days.get(day)
        if today is None:
            today = days[day] = _Day(day, [r for c, r in challenges if c.contains(day)], tables)

        _accumulate(people, (person, day), points, tick, today.tables(Scope.PEOPLE), 1)
        team = group.team
        if team:
            teams_of_day = today.tables(Scope.TEAMS)
            _accumulate(teams, (team, day), points, tick, teams_of_day, group.team_size)
        department = group.department
        if department:
            departments_of_day = today.tables(Scope.DEPARTMENTS)
            _accumulate(
                departments,
                (department, day),
                points,
                tick,
                departments_of_day,
                group.department_size,
            )

        for challenge in today.challenges:
            # The amount first: a unit counts as seen even when the fact has no target.
            amount = _challenge_amount(challenge, today, fact, units)
            member: str | None
            if challenge.scope == _TEAM:
                member, divisor = team, group.team_size
            elif challenge.scope == _DEPARTMENT:
                member, divisor = department, group.department_size
            else:
                member, divisor = person, 1
            if member is None:
                continue
            if challenge.table is None:
                challenge.table = [boards.setdefault(challenge.key, {})]
            _accumulate(
                challenge_sums, (member, challenge.key), amount, tick, challenge.table, divisor
            )

    # Each board gets sums of one kind only, so each kind in its own order will do.
    for sums in (people, teams, departments, challenge_sums):
        _add_sums(sums)
    return delta


def _challenge_amount(
    challenge: _Running, today: _Day, fact: Fact, units: set[tuple[str, str, str]]
) -> int:
    """What ``fact`` adds to ``challenge``; a unit (day, app, activity) counts once."""
    metric = challenge.metric
    if metric == _POINTS:
        return fact.points
    if fact.app is None:
        return 0  # granted points (no app): not Copilot use, so no active day or app
    unit: str | None
    if metric == _ACTIVE_DAYS:
        if today.iso is None:
            today.iso = today.day.isoformat()
        unit = today.iso
    elif metric == _DISTINCT_APPS:
        unit = fact.app
    elif metric == _ACTIVE_RATE:
        unit = "active"
    else:
        return 0
    if unit is None:
        return 0
    key = (fact.person, challenge.id, unit)
    if key in units:
        return 0
    units.add(key)
    return RATE_SCALE if metric == _ACTIVE_RATE else 1


def _accumulate(
    sums: _Sums, key: tuple[str, Any], amount: int, tick: int, tables: list[Members], divisor: int
) -> None:
    """Add one fact's amount to its sum; a new sum keeps the tables and divisor given."""
    found = sums.get(key)
    if found is None:
        sums[key] = [amount, tick, tables, divisor]
    else:
        found[0] += amount
        if tick > found[1]:
            found[1] = tick


def _add_sums(sums: _Sums) -> None:
    """Add each sum to its boards as ``BoardDelta.add`` would, in the order of the sums."""
    new_entry = object.__new__
    for (member, _), (amount, tick, tables, divisor) in sums.items():
        divisor = divisor if divisor > 1 else 1
        for members in tables:
            entry = members.get(member)
            if entry is None:
                # Entry(amount, tick, divisor) without the call of __init__.
                entry = members[member] = new_entry(Entry)
                entry.amount, entry.tick, entry.divisor = amount, tick, divisor
            else:
                entry.amount += amount
                if tick > entry.tick:
                    entry.tick = tick


def _board_keys(scope: Scope, day: date, rules: RuleSet) -> list[str]:
    """The calendar and season boards of ``scope`` that hold ``day``."""
    periods = [(w, period_key(w, day)) for w in CALENDAR_WINDOWS]
    periods += [(Window.SEASON, s.id) for s in rules.seasons_of(day)]
    return [board_key(scope, w, p) for w, p in periods]
