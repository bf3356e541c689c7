"""This week's nudges from the cube's cells: the weeks compared, the rates, the threshold,
at most three per department, and the privacy rules, whatever order the cells come in."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.community.library import UseCase
from services.api.nudges.gaps import (
    MIN_GAP_POINTS,
    MIN_ORGANISATION_RATE,
    Cell,
    Gap,
    Hidden,
    Window,
    leaders,
    nudges,
    window,
)
from services.api.nudges.suggest import Suggestion, choose
from shared.insight_tables import ANY_APP, NONE

THURSDAY = date(2026, 12, 3)
WEEKS = Window(tuple(date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)))
MONDAYS = WEEKS.mondays
MIN_SIZE = 5


def test_the_weeks_are_the_last_four_complete_iso_weeks_before_today() -> None:
    assert window(THURSDAY) == WEEKS
    assert (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)) == MONDAYS
    assert (WEEKS.since, WEEKS.until, WEEKS.weeks) == (date(2026, 11, 2), date(2026, 11, 29), 4)
    on_monday = window(date(2026, 11, 30))
    assert on_monday is not None and on_monday.mondays == MONDAYS  # this week is not complete


def test_only_weeks_the_cube_covers_whole_are_compared() -> None:
    partly = window(THURSDAY, (date(2026, 11, 11), date(2026, 12, 2)))
    assert partly is not None and partly.mondays == (date(2026, 11, 16), date(2026, 11, 23))
    assert window(THURSDAY, (date(2026, 11, 30), date(2026, 12, 2))) is None
    stale = window(THURSDAY, (date(2026, 1, 1), date(2026, 11, 28)))  # last Sunday not built
    assert stale is not None and stale.mondays == MONDAYS[:3]


def every_week(department: str, app: str, people: int) -> list[Cell]:
    return [Cell(monday, department, app, people) for monday in MONDAYS]


def test_a_department_lagging_by_enough_gets_a_nudge_with_exact_rates() -> None:
    population = {"Finance": 50, "Sales": 50}
    cells = every_week("Finance", "excel", 5) + every_week("Sales", "excel", 35)
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    [gap] = result.departments["Finance"]
    assert gap == Gap("Finance", "excel", Fraction(1, 10), Fraction(2, 5))
    assert gap.points == 30
    assert result.on_track == ["Sales"] and result.hidden == []


def test_a_rate_is_the_mean_over_the_weeks_with_missing_weeks_counting_as_none() -> None:
    population = {"Finance": 10, "Sales": 10}
    cells = [Cell(MONDAYS[0], "Finance", "word", 8), *every_week("Sales", "word", 8)]
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    assert result.rates["word"]["Finance"] == Fraction(8, 40)
    assert result.organisation["word"] == Fraction(8 + 32, 80)


def test_the_organisation_counts_everyone_small_departments_and_none_included() -> None:
    population = {"Finance": 20, "Legal": 3, NONE: 7}
    cells = every_week("Legal", "excel", 3) + every_week(NONE, "excel", 7)
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    assert result.organisation["excel"] == Fraction(10, 30)
    assert [g.app for g in result.departments["Finance"]] == ["excel"]
    assert result.hidden == [Hidden(NONE, "no_department"), Hidden("Legal", "small")]


def test_no_nudge_below_the_threshold_or_where_the_organisation_barely_uses_the_app() -> None:
    population = {"A": 100, "B": 100}
    just_below = every_week("B", "word", 29)  # organisation 14.5 %, A 0 %: 14.5 points
    rare = every_week("B", "loop", 18)  # organisation 9 %: not meaningful
    result = nudges(population, just_below + rare, WEEKS, MIN_SIZE)
    assert result.departments == {} and result.organisation["loop"] < MIN_ORGANISATION_RATE
    at_threshold = every_week("B", "word", 30)  # organisation 15 %, A 0 %: 15 points
    assert nudges(population, at_threshold, WEEKS, MIN_SIZE).departments["A"][0].points == 15


def test_at_most_three_nudges_per_department_largest_gap_first() -> None:
    population = {"A": 10, "B": 10}
    apps = {"excel": 10, "word": 9, "teams": 8, "outlook": 7}
    cells = [cell for app, n in apps.items() for cell in every_week("B", app, n)]
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    assert [g.app for g in result.departments["A"]] == ["excel", "word", "teams"]


def test_any_app_and_weeks_outside_the_window_are_left_out() -> None:
    population = {"A": 10, "B": 10}
    cells = [*every_week("B", ANY_APP, 10), Cell(MONDAYS[0] - timedelta(weeks=1), "B", "word", 10)]
    assert nudges(population, cells, WEEKS, MIN_SIZE).departments == {}


def test_departments_are_ordered_by_their_largest_gap() -> None:
    population = {"A": 10, "B": 10, "C": 10}
    cells = every_week("C", "excel", 10) + every_week("B", "excel", 1)
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    assert list(result.departments) == ["A", "B"]


def test_leaders_are_the_shown_departments_above_the_organisation_best_first() -> None:
    population = {"A": 10, "B": 10, "C": 10, "D": 10, "Tiny": 2}
    cells = (
        every_week("B", "excel", 9)
        + every_week("C", "excel", 7)
        + every_week("D", "excel", 1)
        + every_week("Tiny", "excel", 2)
    )
    result = nudges(population, cells, WEEKS, MIN_SIZE)
    assert leaders(result, "excel") == ["B", "C"]
    assert leaders(result, "excel", besides="B") == ["C"]
    assert leaders(result, "word") == []


departments = st.sampled_from(["A", "B", "C", "D", "E", NONE])
apps = st.sampled_from(["excel", "word", "teams", "outlook", ANY_APP])
cells = st.lists(
    st.builds(Cell, st.sampled_from(MONDAYS), departments, apps, st.integers(0, 12)), max_size=60
)
populations = st.dictionaries(departments, st.integers(0, 12), min_size=1)


@settings(max_examples=300, deadline=None)
@given(populations, cells, st.randoms(use_true_random=False), st.integers(1, 8))
def test_the_list_ignores_cell_order_and_keeps_small_departments_hidden(
    population: dict[str, int], found: list[Cell], random: object, min_size: int
) -> None:
    result = nudges(population, found, WEEKS, min_size)
    shuffled = list(found)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    again = nudges(dict(reversed(list(population.items()))), shuffled, WEEKS, min_size)
    assert again == result
    shown = set(result.departments) | set(result.on_track)
    for department in shown:
        assert department != NONE and population[department] >= min_size
    for hidden in result.hidden:
        assert hidden.department not in shown
    assert shown | {h.department for h in result.hidden} == {
        d for d, n in population.items() if n > 0 or (d != NONE and n < min_size)
    }
    for app_rates in result.rates.values():
        assert set(app_rates) <= shown


@settings(max_examples=300, deadline=None)
@given(populations, cells, st.integers(1, 8))
def test_a_department_at_or_above_the_organisation_never_gets_a_nudge_for_that_app(
    population: dict[str, int], found: list[Cell], min_size: int
) -> None:
    result = nudges(population, found, WEEKS, min_size)
    for department, gaps in result.departments.items():
        assert 1 <= len(gaps) <= 3
        assert [g.points for g in gaps] == sorted((g.points for g in gaps), reverse=True)
        for gap in gaps:
            assert gap.department_rate < gap.organisation_rate
            assert gap.points >= MIN_GAP_POINTS
            assert gap.organisation_rate >= MIN_ORGANISATION_RATE
            assert result.rates[gap.app][department] == gap.department_rate
    for app, app_rates in result.rates.items():
        for department, rate in app_rates.items():
            if rate >= result.organisation[app]:
                assert app not in {g.app for g in result.departments.get(department, [])}


def library_case(use_case: str) -> UseCase:
    return UseCase(id=use_case, app="excel", content={})


def test_the_most_confirmed_use_case_is_suggested_else_the_librarys_first() -> None:
    first, second, third = (library_case(u) for u in ("excel-a", "excel-b", "excel-c"))
    candidates = [first, second, third]
    picked = choose(candidates, {"excel-b": 2, "excel-c": 3}, ["Sales"])
    assert picked == Suggestion(third, "confirmed", 3, ("Sales",))
    tie = choose(candidates, {"excel-b": 3, "excel-c": 3}, ["Sales"])
    assert tie is not None and tie.use_case is second  # equals: the library's order
    none = choose(candidates, {}, ["Sales"])
    assert none == Suggestion(first, "library", 0, ("Sales",))
    assert choose([], {"excel-a": 1}, []) is None
