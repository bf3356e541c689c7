"""Badges, levels and streaks are functions of the set of facts, not of their arrival order.

Usage facts arrive out of order in production: Graph revalidates the last three
days, interaction history and reports come in separate cycles, and JetStream
redelivers. The same facts, in any order and batching, with duplicates, must
give the same badges, levels and achievement dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.domain.boards import (
    BoardDelta,
    Fact,
    Group,
    Seen,
    contribute,
    seen_from_history,
)
from services.scoring.domain.calendar import WorkCalendar, streaks_reached
from services.scoring.domain.engine import PersonState, score
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.domain.rules import CalendarRules, StreakRules, parse_rules
from shared.events import ActivityKind, App

TZ = ZoneInfo("Europe/Brussels")
PLAIN = WorkCalendar(CalendarRules(country=None))
ONE_FREEZE = StreakRules(freezes=1, freeze_window=10)
MONDAY = date(2026, 11, 2)
WORKING = PLAIN.working_days(MONDAY, MONDAY + timedelta(days=60))

# Twenty-three working days with the second and fifth missed: an early day, a miss,
# two days, a miss, then eighteen days in a row.
MISSED = {1, 4}
ACTIVE = [WORKING[i] for i in range(23) if i not in MISSED]


def test_an_earlier_active_day_does_not_shorten_a_streak() -> None:
    without_first = streaks_reached(ACTIVE[1:], PLAIN, ONE_FREEZE, (20,))[0]
    with_first = streaks_reached(ACTIVE, PLAIN, ONE_FREEZE, (20,))[0]
    assert without_first == WORKING[22]
    assert with_first == without_first


RULES = parse_rules(
    """
calendar: {country: null}
streak: {freezes: 1, freeze_window: 10}
badges:
  - {type: streak, id: streak-20, title: Month streak, days: 20}
"""
)


def _signal(day: date) -> Signal:
    return Signal(
        f"e-{day.isoformat()}",
        "p-1",
        App.WORD,
        ActivityKind.ACTIVE_DAY,
        day,
        datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9),
    )


def _badges(batches: list[list[Signal]]) -> dict[str, date]:
    states: dict[str, PersonState] = {}
    awards: list[Award] = []
    for batch in batches:
        awards += score(RULES, 1, batch, states, PLAIN, TZ)
    held = {a.key: a.day for a in awards if a.kind == AwardKind.BADGE}
    for award in awards:
        if award.kind == AwardKind.BADGE:
            held[award.key] = min(held[award.key], award.day)
    return held


def test_a_streak_badge_does_not_depend_on_arrival_order() -> None:
    signals = [_signal(day) for day in ACTIVE]
    in_date_order = _badges([signals])
    first_day_late = _badges([signals[1:], signals[:1]])
    assert in_date_order == first_day_late
    assert list(in_date_order.values()) == [WORKING[22]]


# Any set of facts, in any order and batching, with repeats: the same outcome.

PROPERTY_RULES = parse_rules(
    """
calendar: {country: BE, holidays: [2026-11-20]}
streak: {freezes: 1, freeze_window: 5}
points:
  per_kind: {active_day: 10, prompt: 3}
  per_app: {chat: {active_day: 4}}
  daily_cap: 20
bonuses:
  - {id: double-excel, title: Excel week, start: 2026-11-09, end: 2026-11-13, apps: [excel]}
badges:
  - {type: first_use, id: first-excel, title: Excel, app: excel}
  - {type: explorer, id: explorer-3, title: Three apps, apps: 3}
  - {type: streak, id: streak-3, title: Three, days: 3}
  - {type: streak, id: streak-6, title: Six, days: 6}
  - {type: streak, id: streak-10, title: Ten, days: 10}
  - {type: habit, id: habit, title: Habit, days: 6, window: 10}
  - {type: milestone, id: prompts-5, title: Prompts, metric: prompts, count: 5}
  - {type: milestone, id: days-8, title: Days, metric: active_days, count: 8}
  - {type: milestone, id: points-150, title: Points, metric: points, count: 150}
levels:
  - {level: 1, title: One, points: 0}
  - {level: 2, title: Two, points: 40}
  - {level: 3, title: Three, points: 120}
  - {level: 4, title: Four, points: 250}
challenges:
  - {id: nov-points, title: Points, scope: team, metric: points, start: 2026-11-05, end: 2026-11-25}
  - {id: nov-days, title: Days, scope: person, metric: active_days, start: 2026-11-02,
     end: 2026-11-30}
  - {id: nov-apps, title: Apps, scope: department, metric: distinct_apps, start: 2026-11-02,
     end: 2026-11-30}
  - {id: nov-rate, title: Rate, scope: team, metric: active_rate, start: 2026-11-10,
     end: 2026-11-30}
"""
)
PROPERTY_CALENDAR = WorkCalendar(PROPERTY_RULES.calendar)
PEOPLE = ["p-0", "p-1", "p-2"]
GROUPS = {
    "p-0": Group("red", "sales", 2, 3),
    "p-1": Group("red", "sales", 2, 3),
    "p-2": Group("blue", "sales", 1, 3),
}
APPS = [App.WORD, App.EXCEL, App.TEAMS, App.CHAT, App.OUTLOOK]

fact = st.builds(
    lambda person, offset, app, prompt, minute: Signal(
        f"e-{person}-{offset}-{app}-{prompt}-{minute}",
        PEOPLE[person],
        app,
        ActivityKind.PROMPT if prompt else ActivityKind.ACTIVE_DAY,
        MONDAY + timedelta(days=offset),
        datetime.combine(MONDAY + timedelta(days=offset), datetime.min.time(), tzinfo=UTC)
        + timedelta(minutes=minute),
    ),
    person=st.integers(0, len(PEOPLE) - 1),
    offset=st.integers(0, 34),
    app=st.sampled_from(APPS),
    prompt=st.booleans(),
    minute=st.integers(0, 24 * 60 - 1),
)


@dataclass
class Outcome:
    """What a ledger and its boards hold, as far as people can see it."""

    keys: set[str]
    held: dict[str, tuple[str | None, date]]  # badge and level keys: reference, day
    points: dict[tuple[str, date], int]  # paid per person and day
    boards: dict[str, dict[str, tuple[int, int]]]  # per board, member: amount, latest tick


def consume(batches: list[list[Signal]]) -> Outcome:
    """Score ``batches`` as the scoring service does: stored ids skip repeats."""
    stored: set[str] = set()
    states: dict[str, PersonState] = {}
    ledger: dict[str, Award] = {}
    delta = BoardDelta()
    for batch in batches:
        fresh = {s.event_id: s for s in batch if s.event_id not in stored}
        stored |= set(fresh)
        seen = Seen()
        for person in {s.person for s in fresh.values()}:
            known = states.setdefault(person, PersonState())
            seen_from_history(PROPERTY_RULES, person, known.history, seen)
        awards = score(PROPERTY_RULES, 1, list(fresh.values()), states, PROPERTY_CALENDAR, TZ)
        written = []
        for award in awards:
            if award.redated:
                assert ledger[award.key].day > award.day
                ledger[award.key] = award
            else:
                assert award.key not in ledger
                ledger[award.key] = award
                written.append(award)
        facts = [
            Fact(a.person, a.day, a.points, a.at, a.app)
            for a in written
            if a.kind == AwardKind.POINTS
        ]
        contribute(facts, PROPERTY_RULES, GROUPS, seen, delta)
    points: dict[tuple[str, date], int] = {}
    for award in ledger.values():
        if award.kind == AwardKind.POINTS:
            points[(award.person, award.day)] = points.get((award.person, award.day), 0) + (
                award.points
            )
    return Outcome(
        keys=set(ledger),
        held={key: (a.ref, a.day) for key, a in ledger.items() if a.kind != AwardKind.POINTS},
        points=points,
        boards={
            key: {m: (e.amount, e.tick) for m, e in members.items()}
            for key, members in delta.boards.items()
        },
    )


@settings(max_examples=400, deadline=None)
@given(
    facts=st.lists(fact, min_size=1, max_size=80, unique_by=lambda s: s.event_id),
    data=st.data(),
)
def test_the_same_facts_in_any_order_give_the_same_outcome(
    facts: list[Signal], data: st.DataObject
) -> None:
    in_order = consume([sorted(facts, key=Signal.sort_key)])
    arrival = data.draw(st.permutations(facts))
    repeats = data.draw(st.lists(st.sampled_from(facts), max_size=20))
    arrival = [*arrival, *repeats]
    data.draw(st.randoms()).shuffle(arrival)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(arrival)), max_size=8)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=False)]
    assert consume(batches) == in_order
