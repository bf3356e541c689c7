"""Working days, streaks with freezes and holidays, habits: all from the set of dates."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.domain.calendar import (
    Streak,
    StreakBreak,
    WorkCalendar,
    current_streak,
    habit_progress,
    habit_reached,
    last_break,
    longest_streak,
    streak_on,
    streak_reached,
    streaks_reached,
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
    run = longest_streak(active, BE, NO_FREEZE)
    assert run == Streak(5, d(11, 9), d(11, 16), 0)
    assert last_break(active, BE, NO_FREEZE, d(11, 16)) is None
    assert streak_reached(active, BE, NO_FREEZE, 5) == d(11, 16)


def test_a_missed_working_day_breaks_without_a_freeze() -> None:
    active = [d(11, 9), d(11, 10), d(11, 13)]  # Thu 12 missed
    assert streak_on(active, BE, NO_FREEZE, d(11, 13)) == Streak(1, d(11, 13), d(11, 13), 0)
    assert last_break(active, BE, NO_FREEZE, d(11, 12)) == StreakBreak(d(11, 12), 2)
    assert longest_streak(active, BE, NO_FREEZE) == Streak(2, d(11, 9), d(11, 10), 0)


def test_a_freeze_bridges_one_miss_per_window() -> None:
    active = [d(11, 9), d(11, 10), d(11, 13), d(11, 16), d(11, 18)]  # misses 12 and 17
    # Ten working days may hold one miss: a run over both misses is not allowed.
    assert longest_streak(active, BE, ONE_FREEZE) == Streak(4, d(11, 9), d(11, 16), 1)
    assert streak_on(active, BE, ONE_FREEZE, d(11, 18)) == Streak(3, d(11, 13), d(11, 18), 1)
    # Two working days may hold one miss: the misses are five apart, so both are bridged.
    wide = StreakRules(freezes=1, freeze_window=2)
    assert longest_streak(active, BE, wide) == Streak(5, d(11, 9), d(11, 18), 2)


def test_current_streak_is_alive_until_a_working_day_is_missed() -> None:
    active = [d(11, 12), d(11, 13)]  # Thu, Fri
    alive = current_streak(active, BE, NO_FREEZE, today=d(11, 16))  # Monday, not yet active
    assert alive is not None and alive.length == 2
    assert current_streak(active, BE, NO_FREEZE, today=d(11, 17)) is None
    bridged = current_streak(active, BE, ONE_FREEZE, today=d(11, 17))
    assert bridged == Streak(2, d(11, 12), d(11, 16), 1)


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
    expected = (longest_streak(days, BE, ONE_FREEZE), habit_reached(days, 12, 28))
    shuffled = list(days) + days[:5]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        found = (longest_streak(shuffled, BE, ONE_FREEZE), habit_reached(shuffled, 12, 28))
        assert found == expected


# The streak rule, word for word: a run is a stretch of working days in which no
# ``freeze_window`` consecutive working days (fewer at its start) hold more than
# ``freezes`` misses; its length counts its active days.
PLAIN = WorkCalendar(CalendarRules(country=None))
START = date(2026, 11, 2)  # a Monday
SPAN = PLAIN.working_days(START, START + timedelta(days=55))


def _allowed(misses: list[bool], start: int, end: int, rules: StreakRules) -> bool:
    for j in range(start, end + 1):
        if sum(misses[max(start, j - rules.freeze_window + 1) : j + 1]) > rules.freezes:
            return False
    return True


def _by_definition(days: set[date], rules: StreakRules) -> tuple[int, dict[int, date]]:
    """The longest run, and the first day each length is reached, over every stretch."""
    misses = [day not in days for day in SPAN]
    best, reached = 0, dict[int, date]()
    for end in range(len(SPAN)):
        for start in range(end + 1):
            if _allowed(misses, start, end, rules):
                length = sum(not m for m in misses[start : end + 1])
                best = max(best, length)
                for n in range(1, length + 1):
                    reached.setdefault(n, SPAN[end])
    return best, reached


day_sets = st.sets(st.sampled_from(SPAN), max_size=len(SPAN))
streak_rules = st.builds(StreakRules, freezes=st.integers(0, 3), freeze_window=st.integers(1, 12))


@settings(max_examples=300, deadline=None)
@given(days=day_sets, rules=streak_rules)
def test_streaks_follow_the_definition(days: set[date], rules: StreakRules) -> None:
    best, reached = _by_definition(days, rules)
    longest = longest_streak(days, PLAIN, rules)
    assert (longest.length if longest else 0) == best
    targets = list(range(1, len(SPAN) + 1))
    assert streaks_reached(sorted(days), PLAIN, rules, targets) == [reached.get(n) for n in targets]


@settings(max_examples=300, deadline=None)
@given(days=day_sets, more=day_sets, rules=streak_rules, on=st.sampled_from(SPAN))
def test_more_activity_never_makes_a_streak_shorter_or_later(
    days: set[date], more: set[date], rules: StreakRules, on: date
) -> None:
    bigger = days | more
    targets = (3, 5, 10, 20)
    before = streaks_reached(sorted(days), PLAIN, rules, targets)
    after = streaks_reached(sorted(bigger), PLAIN, rules, targets)
    for was, now in zip(before, after, strict=True):
        assert was is None or (now is not None and now <= was)
    lengths = [longest_streak(s, PLAIN, rules) for s in (days, bigger)]
    assert [run.length if run else 0 for run in lengths] == sorted(
        run.length if run else 0 for run in lengths
    )
    alive = [streak_on(s, PLAIN, rules, on) for s in (days, bigger)]
    assert (alive[0].length if alive[0] else 0) <= (alive[1].length if alive[1] else 0)
