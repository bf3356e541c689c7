"""The optimised domain code gives exactly what the straightforward version gave.

The first half of this module is a frozen copy of the scoring domain as it was
before it was made faster (engine, badges, calendar, boards, ``History.add_many``),
kept here only as the reference. Its streaks follow today's rule (a run may hold
at most ``freezes`` misses in any ``freeze_window`` working days), written as
the closed form below rather than the walk the domain uses; held badges and
levels are re-dated when new facts make them reached earlier. The tests feed both
the same seeded random inputs - rule sets with caps, bonuses, holidays, freezes,
seasons and challenges of every metric and scope, several time zones, people with
and without history - and require identical awards, person states, board deltas
(content and order) and challenge units.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_tables
import pytest

from services.scoring.domain import badges as new_badges
from services.scoring.domain import boards as new_boards
from services.scoring.domain import calendar as new_calendar
from services.scoring.domain import engine as new_engine
from services.scoring.domain.boards import BoardDelta, Entry, Fact, Group, Seen
from services.scoring.domain.engine import PersonState
from services.scoring.domain.model import Award, AwardKind, History, Signal, award_key
from services.scoring.domain.rules import (
    Badge,
    CalendarRules,
    Challenge,
    ExplorerBadge,
    FirstUseBadge,
    HabitBadge,
    MilestoneBadge,
    RuleSet,
    StreakBadge,
    StreakRules,
    parse_rules,
    validate_rules,
)
from services.scoring.rulebook import default_source
from shared.events import ActivityKind, App
from shared.leaderboards import Scope, board_key, minute_tick
from shared.periods import CALENDAR_WINDOWS, Window, period_key

# --------------------------------------------------------------------------------------
# Reference: the domain code before it was optimised (do not edit).
# --------------------------------------------------------------------------------------

REF_ONE_DAY = timedelta(days=1)
REF_RATE_SCALE = 100


@lru_cache(maxsize=64)
def _ref_country_days(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    table = holiday_tables.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


class RefWorkCalendar:
    def __init__(self, rules: CalendarRules) -> None:
        self._rules = rules
        self._extra = frozenset(rules.holidays)
        self._workdays = frozenset(rules.workdays)

    def is_holiday(self, day: date) -> bool:
        if day in self._extra:
            return True
        country = self._rules.country
        return bool(country) and day in _ref_country_days(
            country or "", self._rules.subdivision, day.year
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self._workdays and not self.is_holiday(day)

    def working_days(self, start: date, end: date) -> list[date]:
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += REF_ONE_DAY
        return days


def _ref_runs(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules, until: date | None
) -> tuple[list[date], list[bool], list[int]]:
    """Working days from the first active day, whether each is active, and the earliest
    start of a run ending on each.

    A window of ``freeze_window`` working days ending on day ``j`` that holds ``k``
    misses, more than ``freezes``, forces a run through ``j`` to start after its
    ``(k - freezes)``-th miss; a run ending on ``e`` starts after every such bound
    of the days up to ``e``.
    """
    dates = set(active)
    if not dates:
        return [], [], []
    days = calendar.working_days(min(dates), until or max(dates))
    flags = [day in dates for day in days]
    starts: list[int] = []
    start = 0
    for j in range(len(days)):
        window = [i for i in range(max(0, j - rules.freeze_window + 1), j + 1) if not flags[i]]
        if len(window) > rules.freezes:
            start = max(start, window[len(window) - rules.freezes - 1] + 1)
        starts.append(start)
    return days, flags, starts


def _ref_run(
    days: list[date], flags: list[bool], start: int, end: int
) -> new_calendar.Streak | None:
    actives = [i for i in range(start, end + 1) if flags[i]]
    if not actives:
        return None
    length = len(actives)
    return new_calendar.Streak(length, days[actives[0]], days[end], end - actives[0] + 1 - length)


def ref_streak_reached(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules, days: int
) -> date | None:
    if days < 1:
        return None  # a run of no days is never "reached"
    dates, flags, starts = _ref_runs(active, calendar, rules, None)
    for end in range(len(dates)):
        if sum(flags[starts[end] : end + 1]) >= days:
            return dates[end]
    return None


def ref_streak_on(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules, day: date
) -> new_calendar.Streak | None:
    dates, flags, starts = _ref_runs([d for d in active if d <= day], calendar, rules, day)
    return _ref_run(dates, flags, starts[-1], len(dates) - 1) if dates else None


def ref_longest_streak(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules
) -> new_calendar.Streak | None:
    dates, flags, starts = _ref_runs(active, calendar, rules, None)
    runs = [_ref_run(dates, flags, starts[end], end) for end in range(len(dates))]
    found = [run for run in runs if run is not None]
    return max(found, key=lambda run: (run.length, -run.end.toordinal())) if found else None


def ref_last_break(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules, day: date
) -> new_calendar.StreakBreak | None:
    dates, flags, starts = _ref_runs([d for d in active if d <= day], calendar, rules, day)
    runs = [_ref_run(dates, flags, starts[end], end) for end in range(len(dates))]
    cuts = [
        end
        for end in range(1, len(dates))
        if (before := runs[end - 1]) is not None
        and ((now := runs[end]) is None or now.start != before.start)
    ]
    if not cuts:
        return None
    before = runs[cuts[-1] - 1]
    assert before is not None
    return new_calendar.StreakBreak(dates[cuts[-1]], before.length)


def ref_current_streak(
    active: Iterable[date], calendar: RefWorkCalendar, rules: StreakRules, today: date
) -> new_calendar.Streak | None:
    dates = set(active)
    until = today if today in dates else today - REF_ONE_DAY
    return ref_streak_on(dates, calendar, rules, until)


def ref_habit_reached(active: Iterable[date], days: int, window: int) -> date | None:
    ordered = sorted(set(active))
    if len(ordered) < days:
        return None
    for index in range(days - 1, len(ordered)):
        if (ordered[index] - ordered[index - days + 1]).days < window:
            return ordered[index]
    return None


def ref_add_many(history: History, day: date, app: App, kind: ActivityKind, count: int) -> None:
    history.apps_by_day.setdefault(day, set()).add(app)
    history.actions_by_day[day] = history.actions_by_day.get(day, 0) + count
    if kind == ActivityKind.PROMPT:
        history.prompts_by_day[day] = history.prompts_by_day.get(day, 0) + count
    known = history.first_use.get(app)
    if known is None or day < known:
        history.first_use[app] = day


def _ref_nth_distinct_app_day(history: History, count: int) -> date | None:
    seen = sorted(history.first_use.values())
    return seen[count - 1] if len(seen) >= count else None


def _ref_milestone_day(
    badge: MilestoneBadge, history: History, paid: dict[date, int]
) -> date | None:
    if badge.metric == "active_days":
        days = sorted(history.apps_by_day)
        return days[badge.count - 1] if len(days) >= badge.count else None
    per_day = history.prompts_by_day if badge.metric == "prompts" else paid
    running = 0
    for day in sorted(per_day):
        running += per_day[day]
        if running >= badge.count:
            return day
    return None


def ref_reached_on(
    badge: Badge,
    rules: RuleSet,
    calendar: RefWorkCalendar,
    history: History,
    paid: dict[date, int],
) -> date | None:
    match badge:
        case FirstUseBadge():
            return history.first_use.get(badge.app)
        case ExplorerBadge():
            return _ref_nth_distinct_app_day(history, badge.apps)
        case StreakBadge():
            return ref_streak_reached(
                sorted(history.apps_by_day), calendar, rules.streak, badge.days
            )
        case HabitBadge():
            return ref_habit_reached(sorted(history.apps_by_day), badge.days, badge.window)
        case MilestoneBadge():
            return _ref_milestone_day(badge, history, paid)
    raise TypeError(f"unknown badge {badge!r}")


def ref_achieved_badges(
    rules: RuleSet,
    calendar: RefWorkCalendar,
    history: History,
    paid: dict[date, int],
    held: Collection[str] = frozenset(),
) -> Iterator[tuple[Badge, date]]:
    for badge in rules.badges:
        if badge.id in held:
            continue
        reached = ref_reached_on(badge, rules, calendar, history, paid)
        if reached is not None:
            yield badge, reached


def ref_day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def ref_points_award(rules: RuleSet, version: int, signal: Signal, paid_today: int) -> Award:
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


def ref_first_day_reaching(by_day: dict[date, int], threshold: int) -> date | None:
    running = 0
    for day in sorted(by_day):
        running += by_day[day]
        if running >= threshold:
            return day
    return None


def ref_level_awards(
    rules: RuleSet,
    version: int,
    person: str,
    state: PersonState,
    tz: ZoneInfo,
    trigger: str,
    since: date | None = None,
) -> list[Award]:
    awards = []
    for level in sorted(rules.levels, key=lambda lv: lv.points):
        if level.points == 0:
            continue
        reached = ref_first_day_reaching(state.paid_by_day, level.points)
        known = state.levels.get(level.level)
        if known is not None:
            if since is None or known <= since or reached is None or reached >= known:
                continue
        elif reached is None:
            break
        assert reached is not None
        state.levels[level.level] = reached
        awards.append(
            Award(
                key=award_key("level", version, f"{person}:{level.level}"),
                kind=AwardKind.LEVEL,
                rule="level",
                version=version,
                person=person,
                day=reached,
                at=ref_day_start(reached, tz),
                event_id=trigger,
                ref=str(level.level),
                title=level.title,
                note=f"{level.points} points reached",
                redated=known is not None,
            )
        )
    return awards


def ref_badge_awards(
    rules: RuleSet,
    version: int,
    person: str,
    state: PersonState,
    calendar: RefWorkCalendar,
    tz: ZoneInfo,
    trigger: str,
    since: date | None = None,
) -> list[Award]:
    history, paid = state.history, state.paid_by_day
    found = [(False, f) for f in ref_achieved_badges(rules, calendar, history, paid, state.badges)]
    for badge in rules.badges:
        known = state.badges.get(badge.id)
        if known is None or since is None or known <= since:
            continue
        reached = ref_reached_on(badge, rules, calendar, history, paid)
        if reached is not None and reached < known:
            found.append((True, (badge, reached)))
    awards = []
    for redated, (badge, reached) in found:
        state.badges[badge.id] = reached
        awards.append(
            Award(
                key=award_key(f"badge.{badge.id}", version, person),
                kind=AwardKind.BADGE,
                rule=f"badge.{badge.id}",
                version=version,
                person=person,
                day=reached,
                at=ref_day_start(reached, tz),
                event_id=trigger,
                ref=badge.id,
                title=badge.title,
                note=f"{badge.type} badge",
                redated=redated,
            )
        )
    return awards


def ref_score(
    rules: RuleSet,
    version: int,
    signals: Iterable[Signal],
    states: dict[str, PersonState],
    calendar: RefWorkCalendar,
    tz: ZoneInfo,
) -> list[Award]:
    by_person: dict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        by_person[signal.person].append(signal)
    awards: list[Award] = []
    for person in sorted(by_person):
        state = states.setdefault(person, PersonState())
        ordered = sorted(by_person[person], key=Signal.sort_key)
        for signal in ordered:
            award = ref_points_award(rules, version, signal, state.paid_by_day.get(signal.day, 0))
            state.paid_by_day[signal.day] = state.paid_by_day.get(signal.day, 0) + award.points
            ref_add_many(state.history, signal.day, signal.app, signal.kind, 1)
            awards.append(award)
        trigger, since = ordered[-1].event_id, ordered[0].day
        awards += ref_badge_awards(rules, version, person, state, calendar, tz, trigger, since)
        awards += ref_level_awards(rules, version, person, state, tz, trigger, since)
    return awards


def ref_delta_add(
    delta: BoardDelta, key: str, member: str, amount: int, tick: int, divisor: int = 1
) -> None:
    members = delta.boards.get(key)
    if members is None:
        members = delta.boards[key] = {}
    entry = members.get(member)
    if entry is None:
        members[member] = Entry(amount, tick, divisor if divisor > 1 else 1)
        return
    entry.amount += amount
    if tick > entry.tick:
        entry.tick = tick


def ref_seen_first(seen: Seen, person: str, challenge: str, unit: str) -> bool:
    key = (person, challenge, unit)
    if key in seen.units:
        return False
    seen.units.add(key)
    return True


def ref_challenge_unit(challenge: Challenge, fact: Fact) -> str | None:
    match challenge.metric:
        case "active_days":
            return fact.day.isoformat()
        case "distinct_apps":
            return fact.app
        case "active_rate":
            return "active"
    return None


def ref_seen_from_history(rules: RuleSet, person: str, history: History, seen: Seen) -> None:
    for challenge in rules.challenges:
        if challenge.metric == "points":
            continue
        for day, apps in history.apps_by_day.items():
            if not challenge.contains(day):
                continue
            for app in apps:
                unit = ref_challenge_unit(challenge, Fact(person, day, 0, datetime.min, app))
                if unit is not None:
                    seen.units.add((person, challenge.id, unit))


def ref_challenge_amount(challenge: Challenge, fact: Fact, seen: Seen) -> int:
    if challenge.metric == "points":
        return fact.points
    if fact.app is None:
        return 0  # granted points (no app) are not Copilot use
    unit = ref_challenge_unit(challenge, fact)
    if unit is None or not ref_seen_first(seen, fact.person, challenge.id, unit):
        return 0
    return REF_RATE_SCALE if challenge.metric == "active_rate" else 1


def _ref_challenge_target(
    challenge: Challenge, person: str, group: Group
) -> tuple[Scope, str | None, int]:
    if challenge.scope == "team":
        return Scope.TEAMS, group.team, group.team_size
    if challenge.scope == "department":
        return Scope.DEPARTMENTS, group.department, group.department_size
    return Scope.PEOPLE, person, 1


def ref_contribute(
    facts: Iterable[Fact],
    rules: RuleSet,
    groups: dict[str, Group],
    seen: Seen,
    delta: BoardDelta,
) -> BoardDelta:
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
            ref_delta_add(delta, key, fact.person, fact.points, tick)
        if group.team:
            for key in keys(Scope.TEAMS, fact.day):
                ref_delta_add(delta, key, group.team, fact.points, tick, group.team_size)
        if group.department:
            for key in keys(Scope.DEPARTMENTS, fact.day):
                ref_delta_add(
                    delta, key, group.department, fact.points, tick, group.department_size
                )
        running = challenges_by_day.get(fact.day)
        if running is None:
            running = challenges_by_day[fact.day] = [
                c for c in rules.challenges if c.contains(fact.day)
            ]
        for challenge in running:
            amount = ref_challenge_amount(challenge, fact, seen)
            c_scope, c_member, c_divisor = _ref_challenge_target(challenge, fact.person, group)
            if c_member is not None:
                key = board_key(c_scope, Window.CHALLENGE, challenge.id)
                ref_delta_add(delta, key, c_member, amount, tick, c_divisor)
    return delta


# --------------------------------------------------------------------------------------
# Random inputs.
# --------------------------------------------------------------------------------------

EARLIEST = date(2026, 9, 20)
LATEST = date(2027, 4, 10)  # spans both DST changes, the year end and ISO week 2026-W53
ZONES = [
    ZoneInfo("Europe/Brussels"),
    ZoneInfo("UTC"),
    ZoneInfo("Pacific/Kiritimati"),  # UTC+14
    ZoneInfo("Pacific/Pago_Pago"),  # UTC-11
    ZoneInfo("America/St_Johns"),  # UTC-3:30 / -2:30
]
APPS = list(App)
KINDS = list(ActivityKind)


def _day(rng: random.Random, start: date, span: int) -> date:
    return start + timedelta(days=rng.randrange(span))


def _window(rng: random.Random, start: date, span: int) -> tuple[date, date]:
    first = _day(rng, start - timedelta(days=10), span + 20)
    return first, first + timedelta(days=rng.randrange(0, span))


def random_rules(rng: random.Random, start: date, span: int) -> RuleSet:
    """A valid rule set with every feature the scoring model has, drawn at random."""
    per_kind = {k.value: rng.choice([0, 1, 2, 3, 5, 10, 15]) for k in KINDS if rng.random() < 0.9}
    per_app = {
        app.value: {k.value: rng.choice([0, 1, 4, 7, 20]) for k in rng.sample(KINDS, 1)}
        for app in rng.sample(APPS, rng.randrange(0, 4))
    }
    bonuses = []
    for n in range(rng.randrange(0, 4)):
        first, last = _window(rng, start, span)
        bonuses.append(
            {
                "id": f"bonus-{n}",
                "title": f"Bonus {n}",
                "start": first,
                "end": last,
                "multiplier": rng.choice([0.5, 1.5, 2, 2.5, 3, 1.25]),
                "apps": [a.value for a in rng.sample(APPS, rng.randrange(0, 3))],
                "kinds": [k.value for k in rng.sample(KINDS, rng.randrange(0, 2))],
            }
        )
    badges: list[dict[str, Any]] = []
    for app in rng.sample(APPS, rng.randrange(0, 5)):
        badges.append({"type": "first_use", "id": f"first-{app}", "title": "F", "app": app.value})
    for n in rng.sample(range(2, len(APPS) + 1), rng.randrange(0, 3)):
        badges.append({"type": "explorer", "id": f"explorer-{n}", "title": "E", "apps": n})
    for n in rng.sample([1, 2, 3, 4, 5, 7, 10, 15, 20], rng.randrange(0, 4)):
        badges.append({"type": "streak", "id": f"streak-{n}", "title": "S", "days": n})
    for n in range(rng.randrange(0, 3)):
        window = rng.choice([1, 3, 7, 14, 28])
        days = rng.randint(1, window)
        badges.append(
            {"type": "habit", "id": f"habit-{n}", "title": "H", "days": days, "window": window}
        )
    for n in range(rng.randrange(0, 4)):
        metric = rng.choice(["prompts", "active_days", "points"])
        count = rng.choice([1, 2, 3, 5, 10, 25, 60, 100])
        badges.append(
            {"type": "milestone", "id": f"m-{n}", "title": "M", "metric": metric, "count": count}
        )
    rng.shuffle(badges)
    level_points = sorted(rng.sample([20, 40, 50, 90, 100, 150, 300, 700], rng.randrange(0, 5)))
    levels = [{"level": 1, "title": "L1", "points": 0}]
    levels += [
        {"level": i + 2, "title": f"L{i + 2}", "points": p} for i, p in enumerate(level_points)
    ]
    rng.shuffle(levels)
    seasons = []
    cursor = start - timedelta(days=rng.randrange(0, 20))
    for n in range(rng.randrange(0, 4)):
        first = cursor + timedelta(days=rng.randrange(0, 10))
        last = first + timedelta(days=rng.randrange(0, 30))
        seasons.append({"id": f"s-{n}", "title": "S", "start": first, "end": last})
        cursor = last + timedelta(days=1)
    challenges = []
    for n in range(rng.randrange(0, 6)):
        metric = rng.choice(["points", "active_days", "distinct_apps", "active_rate"])
        scopes = ["team", "department"] + ([] if metric == "active_rate" else ["person"])
        first, last = _window(rng, start, span)
        challenges.append(
            {
                "id": f"c-{n}",
                "title": "C",
                "scope": rng.choice(scopes),
                "metric": metric,
                "start": first,
                "end": last,
            }
        )
    workdays = sorted(rng.sample(range(7), rng.randint(1, 7)))
    document = {
        "points": {
            "per_kind": per_kind,
            "per_app": per_app,
            "daily_cap": rng.choice([None, 1, 5, 12, 25, 60]),
        },
        "bonuses": bonuses,
        "calendar": {
            "country": rng.choice([None, "BE", "BE", "NL"]),
            "workdays": workdays,
            "holidays": [_day(rng, start, span) for _ in range(rng.randrange(0, 6))],
        },
        "streak": {"freezes": rng.randrange(0, 4), "freeze_window": rng.choice([1, 2, 5, 10, 15])},
        "badges": badges,
        "levels": levels,
        "seasons": seasons,
        "challenges": challenges,
    }
    return validate_rules(document)


def random_moment(rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    """Around the org-local midnight of ``day``, or the start of the day itself."""
    local_midnight = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    if rng.random() < 0.3:
        return local_midnight
    return local_midnight + timedelta(minutes=rng.randrange(-90, 60 * 26))


def random_signals(
    rng: random.Random, count: int, people: list[str], start: date, span: int, tz: ZoneInfo
) -> list[Signal]:
    out: list[Signal] = []
    for n in range(count):
        day = _day(rng, start, span)
        at = random_moment(rng, day, tz)
        if out and rng.random() < 0.1:  # same day and moment as another: event ids decide
            day, at = out[-1].day, out[-1].at
        out.append(
            Signal(
                f"e-{rng.randrange(10**9):09d}-{n}",
                rng.choice(people),
                rng.choice(APPS),
                rng.choice(KINDS),
                day,
                at,
            )
        )
    return out


def random_state(seed: int, rules: RuleSet, start: date, span: int) -> PersonState:
    """What the ledger may already hold for a person; the same seed builds the same state."""
    rng = random.Random(seed)
    state = PersonState()
    for _ in range(rng.choice([0, 0, 1, 3, 8, 20, 40])):
        day = _day(rng, start - timedelta(days=20), span + 20)
        ref_add_many(state.history, day, rng.choice(APPS), rng.choice(KINDS), rng.randint(1, 6))
        state.paid_by_day[day] = state.paid_by_day.get(day, 0) + rng.choice([0, 2, 5, 10, 30])
    for badge in rules.badges:
        if rng.random() < 0.25:
            state.badges[badge.id] = _day(rng, start - timedelta(days=20), span + 20)
    for level in rules.levels:
        if rng.random() < 0.2:
            state.levels[level.level] = _day(rng, start - timedelta(days=20), span + 20)
    return state


def _states(seeds: dict[str, int], rules: RuleSet, start: date, span: int) -> dict[str, Any]:
    return {person: random_state(seed, rules, start, span) for person, seed in seeds.items()}


def _state_view(states: dict[str, PersonState]) -> dict[str, Any]:
    return {
        person: (
            list(s.history.apps_by_day.items()),
            list(s.history.prompts_by_day.items()),
            list(s.history.actions_by_day.items()),
            list(s.history.first_use.items()),
            list(s.paid_by_day.items()),
            sorted(s.badges.items()),
            sorted(s.levels.items()),
        )
        for person, s in states.items()
    }


def _case(seed: int) -> tuple[RuleSet, ZoneInfo, date, int, random.Random]:
    rng = random.Random(seed)
    span = rng.choice([3, 10, 30, 60, 120])
    start = _day(rng, EARLIEST, (LATEST - EARLIEST).days - span)
    return random_rules(rng, start, span), rng.choice(ZONES), start, span, rng


# --------------------------------------------------------------------------------------
# The tests.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(300))
def test_score_gives_the_same_awards_and_states(seed: int) -> None:
    rules, tz, start, span, rng = _case(seed)
    people = [f"p-{n}" for n in range(rng.choice([1, 2, 5, 12]))]
    seeds = {p: rng.randrange(10**6) for p in people if rng.random() < 0.6}
    expected_states = _states(seeds, rules, start, span)
    actual_states = _states(seeds, rules, start, span)
    ref_calendar = RefWorkCalendar(rules.calendar)
    calendar = new_calendar.WorkCalendar(rules.calendar)
    signals = random_signals(rng, rng.choice([1, 5, 30, 120]), people, start, span, tz)
    version = rng.randrange(1, 40)
    cut = sorted(rng.sample(range(len(signals) + 1), rng.randrange(0, 3)))
    for first, last in zip([0, *cut], [*cut, len(signals)], strict=True):
        batch = signals[first:last]
        expected = ref_score(rules, version, batch, expected_states, ref_calendar, tz)
        actual = new_engine.score(rules, version, batch, actual_states, calendar, tz)
        assert actual == expected
        assert _state_view(actual_states) == _state_view(expected_states)


def test_score_on_the_default_rules_and_the_benchmark_shape() -> None:
    rules = parse_rules(default_source())
    rng = random.Random(11)
    tz = ZoneInfo("Europe/Brussels")
    people = [f"p-{n:03d}" for n in range(300)]
    expected_states: dict[str, PersonState] = {}
    actual_states: dict[str, PersonState] = {}
    calendar = new_calendar.WorkCalendar(rules.calendar)
    ref_calendar = RefWorkCalendar(rules.calendar)
    for _ in range(20):  # batches over November and December: bonuses, holidays, challenges
        batch = random_signals(rng, 400, people, date(2026, 11, 2), 60, tz)
        expected = ref_score(rules, 3, batch, expected_states, ref_calendar, tz)
        assert new_engine.score(rules, 3, batch, actual_states, calendar, tz) == expected
    assert _state_view(actual_states) == _state_view(expected_states)
    assert any(a.kind == AwardKind.LEVEL for a in expected)  # the inputs reach far enough


@pytest.mark.parametrize("seed", range(200))
def test_badges_levels_and_points_one_by_one(seed: int) -> None:
    rules, tz, start, span, rng = _case(seed)
    ref_calendar = RefWorkCalendar(rules.calendar)
    calendar = new_calendar.WorkCalendar(rules.calendar)
    expected_state = random_state(seed, rules, start, span)
    actual_state = random_state(seed, rules, start, span)
    history, paid = expected_state.history, expected_state.paid_by_day
    held = set(expected_state.badges)
    assert list(new_badges.achieved_badges(rules, calendar, history, paid, held)) == list(
        ref_achieved_badges(rules, ref_calendar, history, paid, held)
    )
    for badge in rules.badges:
        assert new_badges.reached_on(badge, rules, calendar, history, paid) == ref_reached_on(
            badge, rules, ref_calendar, history, paid
        )
    since = rng.choice([None, _day(rng, start - timedelta(days=20), span + 20)])
    expected = ref_badge_awards(rules, 5, "p", expected_state, ref_calendar, tz, "t", since)
    actual = new_engine.badge_awards(rules, 5, "p", actual_state, calendar, tz, "t", since)
    assert actual == expected
    expected = ref_level_awards(rules, 5, "p", expected_state, tz, "t", since)
    assert new_engine.level_awards(rules, 5, "p", actual_state, tz, "t", since) == expected
    assert _state_view({"p": actual_state}) == _state_view({"p": expected_state})
    for threshold in (-1, 0, 1, 10, 55, 200, 10**6):
        assert new_engine.first_day_reaching(paid, threshold) == ref_first_day_reaching(
            paid, threshold
        )
    for signal in random_signals(rng, 20, ["p"], start, span, tz):
        paid_today = rng.choice([0, 1, 5, 11, 24, 25, 59, 60, 61, 200])
        assert new_engine.points_award(rules, 5, signal, paid_today) == ref_points_award(
            rules, 5, signal, paid_today
        )


def test_badges_with_negative_or_zero_amounts_are_judged_as_before() -> None:
    rules = parse_rules(
        """
badges:
  - {type: milestone, id: p, title: P, metric: points, count: 10}
  - {type: milestone, id: q, title: Q, metric: prompts, count: 3}
levels: [{level: 1, title: A, points: 0}, {level: 2, title: B, points: 10}]
"""
    )
    calendar = new_calendar.WorkCalendar(rules.calendar)
    ref_calendar = RefWorkCalendar(rules.calendar)
    history = History()
    history.add_many(date(2026, 11, 2), App.WORD, ActivityKind.PROMPT, 5)
    history.add_many(date(2026, 11, 3), App.WORD, ActivityKind.PROMPT, -4)
    paid = {date(2026, 11, 2): 12, date(2026, 11, 3): -5, date(2026, 11, 4): 0}
    found = list(new_badges.achieved_badges(rules, calendar, history, paid))
    assert found == list(ref_achieved_badges(rules, ref_calendar, history, paid))
    assert [b.id for b, _ in found] == ["p", "q"]
    state = PersonState(history=history, paid_by_day=paid)
    tz = ZoneInfo("UTC")
    assert new_engine.level_awards(rules, 1, "p", state, tz, "t") == ref_level_awards(
        rules, 1, "p", PersonState(paid_by_day=dict(paid)), tz, "t"
    )


@pytest.mark.parametrize("seed", range(150))
def test_calendar_functions_give_the_same_dates(seed: int) -> None:
    rules, _, start, span, rng = _case(seed)
    ref_calendar = RefWorkCalendar(rules.calendar)
    calendar = new_calendar.WorkCalendar(rules.calendar)
    first, last = start - timedelta(days=5), start + timedelta(days=span + 5)
    assert calendar.working_days(first, last) == ref_calendar.working_days(first, last)
    assert calendar.working_days(last, first) == ref_calendar.working_days(last, first) == []
    for day in (first + timedelta(days=n) for n in range(span + 10)):
        assert calendar.is_working_day(day) == ref_calendar.is_working_day(day)
        assert calendar.is_holiday(day) == ref_calendar.is_holiday(day)
    for _ in range(10):
        density = rng.random()
        active = [
            d for d in (start + timedelta(days=n) for n in range(span)) if rng.random() < density
        ]
        shuffled = [*active, *rng.sample(active, len(active) // 3)]
        rng.shuffle(shuffled)
        streak = StreakRules(freezes=rng.randrange(0, 4), freeze_window=rng.choice([1, 3, 10]))
        for days in (-1, 0, 1, 2, 3, 5, 8, 13, 21, 40):
            assert new_calendar.streak_reached(
                shuffled, calendar, streak, days
            ) == ref_streak_reached(shuffled, ref_calendar, streak, days)
            for window in (1, 2, 7, 28) if days > 0 else ():
                assert new_calendar.habit_reached(shuffled, days, window) == ref_habit_reached(
                    shuffled, days, window
                )
        targets = [1, 2, 5, 5, 9, 0, 30]
        assert new_calendar.streaks_reached(sorted(set(active)), calendar, streak, targets) == [
            ref_streak_reached(active, ref_calendar, streak, t) for t in targets
        ]
        until = _day(rng, start, span + 10)
        assert new_calendar.longest_streak(shuffled, calendar, streak) == ref_longest_streak(
            shuffled, ref_calendar, streak
        )
        assert new_calendar.streak_on(shuffled, calendar, streak, until) == ref_streak_on(
            shuffled, ref_calendar, streak, until
        )
        assert new_calendar.last_break(shuffled, calendar, streak, until) == ref_last_break(
            shuffled, ref_calendar, streak, until
        )
        assert new_calendar.current_streak(shuffled, calendar, streak, until) == ref_current_streak(
            shuffled, ref_calendar, streak, until
        )


@pytest.mark.parametrize("seed", range(50))
def test_history_add_many_builds_the_same_history(seed: int) -> None:
    rng = random.Random(seed)
    expected, actual = History(), History()
    for _ in range(rng.randrange(1, 60)):
        day = _day(rng, EARLIEST, 40)
        app, kind, count = rng.choice(APPS), rng.choice(KINDS), rng.randint(1, 9)
        ref_add_many(expected, day, app, kind, count)
        if count == 1 and rng.random() < 0.5:
            actual.add(Signal("e", "p", app, kind, day, datetime(2026, 1, 1, tzinfo=UTC)))
        else:
            actual.add_many(day, app, kind, count)
    assert _state_view({"p": PersonState(actual)}) == _state_view({"p": PersonState(expected)})
    assert actual.active_days == sorted(expected.apps_by_day)


GROUP_NAMES = [None, "", "red", "blue", "green", "x:y"]


def random_groups(rng: random.Random, people: list[str]) -> dict[str, Group]:
    sizes = {name: rng.randrange(0, 12) for name in GROUP_NAMES}
    groups = {}
    for person in people:
        roll = rng.random()
        if roll < 0.1:
            continue  # removed from the directory: counts nowhere
        if roll < 0.2:
            groups[person] = Group(None, None)
            continue
        team, department = rng.choice(GROUP_NAMES), rng.choice(GROUP_NAMES)
        consistent = rng.random() < 0.8
        groups[person] = Group(
            team,
            department,
            sizes[team] if consistent else rng.randrange(0, 12),
            sizes[department] if consistent else rng.randrange(0, 12),
        )
    return groups


BRUSSELS = ZoneInfo("Europe/Brussels")
ODD_MOMENTS = [
    datetime(2023, 5, 1, tzinfo=UTC),  # before the tick epoch
    datetime(2300, 1, 1, tzinfo=UTC),  # past the tick span
    datetime(2026, 10, 25, 2, 30, tzinfo=BRUSSELS),  # the hour that happens twice
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BRUSSELS),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the same instant as fold 0 above
    datetime(2027, 3, 28, 2, 30, tzinfo=BRUSSELS),  # the hour that never happens
]


def random_facts(
    rng: random.Random, count: int, people: list[str], start: date, span: int
) -> list[Fact]:
    zones = [None, UTC, ZoneInfo("Europe/Brussels"), ZoneInfo("America/St_Johns")]
    facts: list[Fact] = []
    for _ in range(count):
        day = _day(rng, start, span)
        if facts and rng.random() < 0.3:
            day = facts[-1].day
        moment = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)))
        zone = rng.choice(zones)
        at = moment if zone is None else moment.replace(tzinfo=zone)
        if rng.random() < 0.05:
            at = rng.choice(ODD_MOMENTS)
        app: str | None = rng.choice([*APPS, None, "word", "excel"])
        facts.append(Fact(rng.choice(people), day, rng.choice([0, 1, 2, 10, 25]), at, app))
    return facts


def _prefilled(rng: random.Random, rules: RuleSet, people: list[str], start: date) -> BoardDelta:
    delta = BoardDelta()
    for _ in range(rng.randrange(0, 20)):
        scope = rng.choice(list(Scope))
        window = rng.choice([*CALENDAR_WINDOWS, Window.SEASON, Window.CHALLENGE])
        if window == Window.SEASON:
            period = rng.choice([s.id for s in rules.seasons] or ["none"])
        elif window == Window.CHALLENGE:
            period = rng.choice([c.id for c in rules.challenges] or ["none"])
        else:
            period = period_key(window, _day(rng, start, 10))
        member = rng.choice([*people, "red", "blue", "", "x:y"])
        ref_delta_add(
            delta,
            board_key(scope, window, period),
            member,
            rng.randrange(0, 50),
            rng.randrange(0, 10**6),
            rng.randrange(0, 9),
        )
    return delta


def _seen_units(rng: random.Random, rules: RuleSet, people: list[str], start: date) -> set[Any]:
    units: set[Any] = set()
    for challenge in rules.challenges:
        for person in rng.sample(people, min(len(people), 3)):
            unit = rng.choice(["active", _day(rng, start, 20).isoformat(), rng.choice(APPS)])
            units.add((person, challenge.id, unit))
    return units


def _delta_view(delta: BoardDelta) -> list[Any]:
    return [
        (key, [(m, e.amount, e.tick, e.divisor) for m, e in members.items()])
        for key, members in delta.boards.items()
    ]


@pytest.mark.parametrize("seed", range(300))
def test_contribute_gives_the_same_boards_in_the_same_order(seed: int) -> None:
    rules, _, start, span, rng = _case(seed)
    people = [f"p-{n}" for n in range(rng.choice([1, 3, 10, 40]))]
    groups = random_groups(rng, people)
    facts = random_facts(rng, rng.choice([0, 1, 8, 60, 300]), people, start, span)
    prefill_seed = rng.randrange(10**6)
    expected_delta = _prefilled(random.Random(prefill_seed), rules, people, start)
    actual_delta = _prefilled(random.Random(prefill_seed), rules, people, start)
    units = _seen_units(rng, rules, people, start)
    expected_seen, actual_seen = Seen(set(units)), Seen(set(units))
    ref_contribute(facts, rules, groups, expected_seen, expected_delta)
    returned = new_boards.contribute(iter(facts), rules, groups, actual_seen, actual_delta)
    assert returned is actual_delta
    assert _delta_view(actual_delta) == _delta_view(expected_delta)
    assert actual_seen.units == expected_seen.units


@pytest.mark.parametrize("seed", range(100))
def test_seen_from_history_marks_the_same_units(seed: int) -> None:
    rules, _, start, span, rng = _case(seed)
    history = History()
    for _ in range(rng.randrange(0, 30)):
        day = _day(rng, start - timedelta(days=5), span + 10)
        history.add_many(day, rng.choice(APPS), rng.choice(KINDS), 1)
    if rng.random() < 0.2:
        history.apps_by_day[_day(rng, start, span)] = set()
    units = _seen_units(rng, rules, ["p", "q"], start)
    expected, actual = Seen(set(units)), Seen(set(units))
    ref_seen_from_history(rules, "p", history, expected)
    new_boards.seen_from_history(rules, "p", history, actual)
    assert actual.units == expected.units


@dataclass(frozen=True)
class _Workload:
    """The benchmark's shape in small: most facts from different people, 25 days."""

    rules: RuleSet
    facts: list[Fact]
    groups: dict[str, Group]


def _workload(shift: int) -> _Workload:
    rules = parse_rules(default_source())
    rng = random.Random(shift)
    people = [f"p-{n:05d}" for n in range(5000)]
    groups = {
        p: Group(f"team-{n % 100:03d}", f"dept-{n % 7}", 50, 700) for n, p in enumerate(people)
    }
    facts = random_facts(rng, 2000, people, date(2026, 11, 2) + timedelta(days=shift), 25)
    return _Workload(rules, facts, groups)


@pytest.mark.parametrize("shift", [0, 20, 29, 50])
def test_contribute_on_the_default_rules_and_the_benchmark_shape(shift: int) -> None:
    work = _workload(shift)
    expected, actual = BoardDelta(), BoardDelta()
    expected_seen, actual_seen = Seen(), Seen()
    ref_contribute(work.facts, work.rules, work.groups, expected_seen, expected)
    new_boards.contribute(work.facts, work.rules, work.groups, actual_seen, actual)
    assert _delta_view(actual) == _delta_view(expected)
    assert actual_seen.units == expected_seen.units
