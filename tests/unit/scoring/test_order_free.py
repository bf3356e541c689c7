"""Badges, levels and streaks are functions of the set of facts, not of their arrival order.

Usage facts arrive out of order in production: Graph revalidates the last three
days, interaction history and reports come in separate cycles, and JetStream
redelivers. The same facts, in any order and batching, with duplicates, must
give the same badges, levels and achievement dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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
