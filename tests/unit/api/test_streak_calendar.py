"""The employee's streak calendar agrees with scoring's streak rule, day by day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.my_progress import calendar_of
from services.api.streak_calendar import DayState, streak_grid
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.engine import PersonState
from services.scoring.domain.progress import streak_status
from services.scoring.domain.rules import CalendarRules, StreakRules
from services.scoring.rulebook import ActiveRules, default_rules
from shared.events import ActivityKind, App

BE = CalendarRules(country="BE", holidays=[date(2026, 12, 24)])
CALENDAR = WorkCalendar(BE)
FIRST = date(2026, 9, 1)
SPAN = 150  # days of possible activity


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def state_with(active: set[date]) -> PersonState:
    state = PersonState()
    for day in active:
        state.history.add_many(day, App.WORD, ActivityKind.ACTIVE_DAY, 1)
    return state


def allowed(working: list[date], active: set[date], rules: StreakRules) -> bool:
    """The streak rule as written: no ``freeze_window`` consecutive working days of the
    run (fewer at its start) hold more than ``freezes`` missed ones."""
    for end in range(len(working)):
        window = working[max(0, end - rules.freeze_window + 1) : end + 1]
        if sum(1 for day in window if day not in active) > rules.freezes:
            return False
    return True


def bridged_by_brute_force(
    active: set[date], rules: StreakRules, start: date, today: date
) -> set[date]:
    """Missed working days inside some allowed run that starts on an active day and ends
    on a later active day, or on the last working day before today (the run alive now)."""
    until = today if today in active else today - timedelta(days=1)
    working = CALENDAR.working_days(min(active, default=start), until)
    ends = {i for i, day in enumerate(working) if day in active}
    if working:
        ends.add(len(working) - 1)
    found: set[date] = set()
    for a, first in enumerate(working):
        if first not in active:
            continue
        for b in sorted(ends):
            if b <= a:
                continue
            run = working[a : b + 1]
            if allowed(run, active, rules):
                found.update(day for day in run[1:-1] if day not in active)
                if b == len(working) - 1 and run[-1] not in active:
                    found.add(run[-1])
    return {day for day in found if start <= day < today}


activity = st.sets(st.integers(0, SPAN - 1).map(lambda n: FIRST + timedelta(days=n)), max_size=90)
streak_rules = st.builds(StreakRules, freezes=st.integers(0, 2), freeze_window=st.integers(1, 12))
todays = st.integers(60, SPAN + 10).map(lambda n: FIRST + timedelta(days=n))


@settings(max_examples=300, deadline=None)
@given(active=activity, rules=streak_rules, today=todays, weeks=st.integers(1, 16))
def test_the_calendars_streak_is_scorings_streak(
    active: set[date], rules: StreakRules, today: date, weeks: int
) -> None:
    ruleset = default_rules().model_copy(update={"streak": rules, "calendar": BE})
    state = state_with({day for day in active if day <= today})
    scored = streak_status(state.history, ruleset, CALENDAR, today)

    shown = calendar_of(ActiveRules(1, ruleset, CALENDAR), state, today, weeks)

    assert (shown.current, shown.best) == (scored.current, scored.best)
    assert shown.freezes_used == scored.freezes_used
    assert len(shown.days) == 7 * weeks and shown.days[-1].date == shown.end
    assert shown.start.weekday() == 0 and shown.start <= today <= shown.end
    if shown.streak_start is not None and shown.streak_start >= shown.start:
        # The whole streak is on the grid: its active and bridged days add up.
        streak = [day for day in shown.days if day.in_streak]
        assert sum(day.state == DayState.ACTIVE for day in streak) == scored.current
        assert sum(day.state == DayState.FROZEN for day in streak) == scored.freezes_used


@settings(max_examples=300, deadline=None)
@given(active=activity, rules=streak_rules, today=todays)
def test_a_day_is_frozen_exactly_when_an_allowed_run_bridges_it(
    active: set[date], rules: StreakRules, today: date
) -> None:
    past = {day for day in active if day <= today}
    grid = streak_grid(past, CALENDAR, rules, today, 12)

    frozen = {day.day for day in grid.days if day.state == DayState.FROZEN}

    assert frozen == bridged_by_brute_force(past, rules, grid.start, today)
    for day in grid.days:
        if day.state in (DayState.FROZEN, DayState.MISSED):
            assert CALENDAR.is_working_day(day.day) and day.day < today
            assert day.day not in past


def test_the_grid_names_every_kind_of_day() -> None:
    # Mon 7 Dec to Fri 11 Dec active, Mon 14 missed (bridged), Tue 15 active, Wed 16 today.
    active = {d(12, 7), d(12, 8), d(12, 9), d(12, 10), d(12, 11), d(12, 15)}
    grid = streak_grid(active, CALENDAR, StreakRules(freezes=1, freeze_window=10), d(12, 16), 3)
    states = {day.day: day.state for day in grid.days}
    assert (grid.start, grid.end) == (d(11, 30), d(12, 20))
    assert states[d(12, 7)] == DayState.ACTIVE
    assert states[d(12, 12)] == states[d(12, 13)] == DayState.WEEKEND
    assert states[d(12, 14)] == DayState.FROZEN
    assert states[d(12, 16)] == DayState.TODAY
    assert states[d(12, 17)] == DayState.FUTURE
    assert states[d(12, 4)] == DayState.MISSED
    assert grid.current is not None and grid.current.length == 6
    assert [day.day for day in grid.days if day.in_streak] == [
        d(12, 7), d(12, 8), d(12, 9), d(12, 10), d(12, 11), d(12, 14), d(12, 15)
    ]  # fmt: skip


def test_a_holiday_on_a_working_weekday_is_a_holiday_and_breaks_nothing() -> None:
    # Thu 24 Dec is a company holiday, Fri 25 Christmas: the streak runs from Wed 23 to Mon 28.
    active = {d(12, 21), d(12, 22), d(12, 23), d(12, 28)}
    grid = streak_grid(active, CALENDAR, StreakRules(freezes=0), d(12, 28), 2)
    states = {day.day: day.state for day in grid.days}
    assert states[d(12, 24)] == states[d(12, 25)] == DayState.HOLIDAY
    assert grid.current is not None and grid.current.length == 4
