"""Working days, streaks with freezes and holidays, habits: all from the set of dates."""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.scoring.domain.calendar import (
    WorkCalendar,
    current_streak,
    habit_progress,
    habit_reached,
    streak_reached,
    streak_runs,
)
from services.scoring.domain.rules import CalendarRules, StreakRules

BE = WorkCalendar(CalendarRules(country="BE", holidays=[date(2026, 12, 24)]))
NO_FREEZE = StreakRules(freezes=0)
ONE_FREEZE = StreakRules(freezes=1, freeze_window=10)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def test_weekends_and_belgian_holidays_are_not_working_days() -> None:
    assert not BE.is_working_day(d(11, 11))  # Armistice Day, a Wednesday
    assert not BE.is_working_day(d(11, 14))  # Saturday
    assert not BE.is_working_day(d(12, 24))  # listed company holiday
    assert BE.is_working_day(d(11, 12))


def test_streak_skips_weekends_and_holidays() -> None:
    # Mon 9, Tue 10, (Wed 11 Armistice), Thu 12, Fri 13, (weekend), Mon 16
    active = [d(11, 9), d(11, 10), d(11, 12), d(11, 13), d(11, 16)]
    runs, breaks = streak_runs(active, BE, NO_FREEZE)
    assert [(r.length, r.start, r.end) for r in runs] == [(5, d(11, 9), d(11, 16))]
    assert breaks == []
    assert streak_reached(active, BE, NO_FREEZE, 5) == d(11, 16)


def test_a_missed_working_day_breaks_without_a_freeze() -> None:
    active = [d(11, 9), d(11, 10), d(11, 13)]  # Thu 12 missed
    runs, breaks = streak_runs(active, BE, NO_FREEZE)
    assert [r.length for r in runs] == [2, 1]
    assert breaks[0].on == d(11, 12)


def test_a_freeze_bridges_one_miss_per_window() -> None:
    active = [d(11, 9), d(11, 10), d(11, 13), d(11, 16), d(11, 18)]  # misses 12 and 17
    runs, breaks = streak_runs(active, BE, ONE_FREEZE)
    assert runs[0].length == 4 and runs[0].freezes_used == 1
    assert breaks[0].on == d(11, 17)  # second miss within ten working days
    wide = StreakRules(freezes=1, freeze_window=2)
    runs, breaks = streak_runs(active, BE, wide)
    assert [r.length for r in runs] == [5] and runs[0].freezes_used == 2


def test_current_streak_is_alive_until_a_working_day_is_missed() -> None:
    active = [d(11, 12), d(11, 13)]  # Thu, Fri
    alive = current_streak(active, BE, NO_FREEZE, today=d(11, 16))  # Monday, not yet active
    assert alive is not None and alive.length == 2
    assert current_streak(active, BE, NO_FREEZE, today=d(11, 17)) is None
    assert current_streak(active, BE, ONE_FREEZE, today=d(11, 17)) is not None


def test_habit_is_d_active_days_within_n_calendar_days() -> None:
    days = [d(11, 1) + timedelta(days=2 * i) for i in range(12)]  # every other day: 1..23
    assert habit_reached(days, 12, 28) == d(11, 23)
    assert habit_reached(days, 12, 23) == d(11, 23)
    assert habit_reached(days[:11], 12, 28) is None
    assert habit_reached(days, 12, 22) is None
    assert habit_progress(days, 28, today=d(11, 23)) == 12
    assert habit_progress(days, 7, today=d(11, 23)) == 4
    assert habit_progress(days, 7, today=d(11, 28)) == 1


def test_streaks_and_habits_ignore_arrival_order() -> None:
    days = [d(11, 2) + timedelta(days=i) for i in range(40) if i % 9 != 4]
    expected = (streak_runs(days, BE, ONE_FREEZE), habit_reached(days, 12, 28))
    shuffled = list(days) + days[:5]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert (streak_runs(shuffled, BE, ONE_FREEZE), habit_reached(shuffled, 12, 28)) == expected
