"""The cockpit's arithmetic without a database: hidden groups, the flags rule, the CSV of
each chart, the intents, and totals that add up whatever the cells."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.cockpit.compute import Ask, Cells, cockpit
from services.api.cockpit.flags import flag_of
from services.api.cockpit.groups import split
from services.api.cockpit.models import Cockpit
from services.api.cockpit.table import Chart, neutral, render, table_of
from services.api.insight_cube import Coverage, SegmentRow, WeekRow, Within
from services.scoring.rulebook import default_rules
from shared.insight_tables import ANY_APP, NONE
from shared.intents import Intent

LAST_DAY = date(2026, 11, 29)  # a Sunday: the week of 23 November is complete
MONDAYS = [date(2026, 11, 23) - timedelta(weeks=n) for n in range(12, -1, -1)]
TIERS = default_rules().tiers

# (department, function) -> licensed; (week, department, function, app) -> (people, actions, days)
Population = dict[tuple[str, str], int]
Cube = dict[tuple[date, str, str, str], tuple[int, int, int]]


def cells_of(population: Population, cube: Cube, first_day: date = MONDAYS[0]) -> Cells:
    """What the cube reads would give for these cells, grouped as :mod:`.read` asks."""
    departments: dict[str, int] = defaultdict(int)
    functions: dict[str, int] = defaultdict(int)
    for (department, function), n in population.items():
        departments[department] += n
        functions[function] += n
    by_department: dict[tuple[date, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    by_function: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (week, department, function, app), values in cube.items():
        for i, value in enumerate(values):
            by_department[week, department, app][i] += value
            if app == ANY_APP:
                by_function[week, function][i] += value
    coverage = Coverage(datetime(2026, 11, 30, 3, tzinfo=UTC), first_day, LAST_DAY, LAST_DAY, 12)
    return Cells(
        coverage,
        dict(departments),
        dict(functions),
        [WeekRow(w, d, a, *v) for (w, d, a), v in by_department.items()],
        [WeekRow(w, f, ANY_APP, *v) for (w, f), v in by_function.items()],
        [SegmentRow(d, "none", n) for d, n in departments.items()],
    )


def ask(weeks: int = 12, within: Within | None = None, min_size: int = 5) -> Ask:
    return Ask("en", weeks, within, min_size, 6.0, TIERS)


def steady_cube(population: Population, rates: dict[str, list[float]]) -> Cube:
    """Each department active at its rate per week (oldest first), all in Word."""
    cube: Cube = {}
    for (department, function), n in population.items():
        for week, rate in zip(MONDAYS, rates[department], strict=False):
            people = round(n * rate)
            cube[week, department, function, ANY_APP] = (people, people * 3, people)
            cube[week, department, function, "word"] = (people, people * 3, people)
    return cube


def test_groups_below_the_minimum_are_hidden_with_the_reason() -> None:
    result = split({"Sales": 5, "Legal": 4, "": 0}, 5, lambda g: g or "(none)", "too small")
    assert result.shown == {"Sales": 5}
    assert [(h.group, h.label, h.reason) for h in result.hidden] == [
        ("", "(none)", "too small"),
        ("Legal", "Legal", "too small"),
    ]
    assert split({"Solo": 1}, 0, str, "r").hidden == []  # no minimum: one person shows
    assert split({"Empty": 0}, 0, str, "r").shown == {}  # an empty group never shows


def test_the_flags_rule_at_its_edges() -> None:
    org = 0.5
    assert flag_of(0.45, 0.40, org) == "growing"  # +5.0 points exactly
    assert flag_of(0.449, 0.40, org) == "steady"  # +4.9 points, below the organisation
    assert flag_of(0.419, 0.40, org) == "stagnating"  # +1.9 points and below
    assert flag_of(0.42, 0.40, org) == "steady"  # +2.0 points
    assert flag_of(0.30, 0.40, org) == "stagnating"  # falling and below
    assert flag_of(0.60, 0.65, org) == "steady"  # falling but ahead of the organisation
    assert flag_of(0.5, 0.5, org) == "steady"  # level with the organisation
    assert flag_of(None, 0.4, org) is None and flag_of(0.4, None, org) is None


def test_departments_are_flagged_by_the_stated_rule() -> None:
    population = {("Sales", "Rep"): 20, ("Legal", "Lawyer"): 20, ("HR", "Recruiter"): 20}
    rates = {
        "Sales": [0.2] * 9 + [0.5] * 4,  # up 30 points: growing
        "Legal": [0.1] * 13,  # flat and far below: stagnating
        "HR": [0.8] * 13,  # flat but ahead: steady
    }
    result = cockpit(cells_of(population, steady_cube(population, rates)), ask())
    assert result.flags is not None
    flags = {f.department: (f.flag, f.change_points) for f in result.flags.departments}
    assert flags == {
        "Sales": ("growing", 30.0),
        "Legal": ("stagnating", 0.0),
        "HR": ("steady", 0.0),
    }
    assert "at least 5 percentage points" in result.flags.rule


def test_without_eight_complete_weeks_there_is_no_flag_yet() -> None:
    population = {("Sales", "Rep"): 20}
    cube = steady_cube(population, {"Sales": [0.5] * 13})
    result = cockpit(cells_of(population, cube, first_day=MONDAYS[-6]), ask(weeks=4))
    assert result.flags is not None and result.flags.departments[0].flag is None
    assert result.trend is not None
    assert [w.rate for w in result.trend.weeks] == [0.5] * 4


def test_weeks_before_the_cube_are_unknown_not_zero() -> None:
    population = {("Sales", "Rep"): 20}
    cube = steady_cube(population, {"Sales": [0.5] * 13})
    result = cockpit(cells_of(population, cube, first_day=MONDAYS[-2]), ask(weeks=4))
    assert result.trend is not None
    assert [w.rate for w in result.trend.weeks] == [None, None, 0.5, 0.5]
    assert result.assisted is not None and result.assisted.weeks[0].hours is None


def test_intents_split_each_weeks_actions_by_app() -> None:
    week = MONDAYS[-1]
    population = {("Sales", "Rep"): 10}
    cube: Cube = {
        (week, "Sales", "Rep", ANY_APP): (6, 100, 9),
        (week, "Sales", "Rep", "chat"): (3, 30, 3),
        (week, "Sales", "Rep", "word"): (2, 20, 2),
        (week, "Sales", "Rep", "excel"): (1, 10, 1),
        (week, "Sales", "Rep", "teams"): (4, 35, 4),
        (week, "Sales", "Rep", "someday-app"): (1, 5, 1),
    }
    result = cockpit(cells_of(population, cube), ask(weeks=4))
    assert result.intents is not None
    last = result.intents.weeks[-1]
    assert last.actions == {
        Intent.FIND: 30,
        Intent.CREATE: 30,
        Intent.COMMUNICATE: 35,
        Intent.OTHER: 5,
    }
    assert last.shares[Intent.COMMUNICATE] == 0.35
    assert {m.app: m.intent for m in result.intents.mapping}["outlook"] is Intent.COMMUNICATE
    assert result.assisted is not None and result.assisted.weeks[-1].hours == 10.0


def test_a_cell_that_looks_like_a_formula_is_text_in_the_csv() -> None:
    assert neutral("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [neutral(x) for x in ("+1", "-1", "@a", "\tx", "Sales")] == [
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "Sales",
    ]
    population = {("=cmd|' /C calc'!A0", "Rep"): 10}
    cube = steady_cube(population, {"=cmd|' /C calc'!A0": [-0.0] * 13})
    text = render(table_of(cockpit(cells_of(population, cube), ask()), Chart.FLAGS))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_each_csv_holds_exactly_the_charts_rows() -> None:
    population = {("Sales", "Rep"): 20, ("Legal", NONE): 6, ("Tiny", "Rep"): 3}
    rates = {"Sales": [i / 20 for i in range(13)], "Legal": [0.5] * 13, "Tiny": [1.0] * 13}
    result = cockpit(cells_of(population, steady_cube(population, rates)), ask(weeks=6))
    assert result.trend is not None and result.heatmap is not None
    trend = table_of(result, Chart.TREND)
    assert trend.header[:4] == ["Week", "Licensed", "Active", "Any app (%)"]
    assert [row[0] for row in trend.rows] == [w.isoformat() for w in result.weeks]
    assert [row[3] for row in trend.rows] == [
        round(w.rate * 100, 1) for w in result.trend.weeks if w.rate is not None
    ]
    heat = table_of(result, Chart.HEATMAP, "week")
    assert [row[0] for row in heat.rows] == ["Legal", "Sales", "Tiny"]
    assert heat.rows[-1][-1] == "fewer than 5 licensed people" and heat.rows[-1][2] is None
    week_values = [row[2] for row in heat.rows[:2]]
    assert week_values == [50.0, 60.0]  # the last complete week, in percent
    four = table_of(result, Chart.HEATMAP, "four_weeks")
    assert four.rows[1][2] == round((0.45 + 0.5 + 0.55 + 0.6) / 4 * 100, 1)
    functions = table_of(result, Chart.FUNCTIONS)
    assert [row[0] for row in functions.rows] == ["Rep", "(no job title)"]  # highest rate first


def test_a_narrowed_scope_below_the_minimum_shows_nothing() -> None:
    population = {("Sales", "Rep"): 20, ("Tiny", "Rep"): 3}
    cube = steady_cube(population, {"Sales": [0.5] * 13, "Tiny": [1.0] * 13})
    small = cells_of({("Tiny", "Rep"): 3}, {k: v for k, v in cube.items() if k[1] == "Tiny"})
    result = cockpit(small, ask(within=Within("department", "Tiny")))
    assert result.trend is None and result.heatmap is None
    assert result.notice == "This selection has fewer than 5 licensed people and is not shown."
    assert result.scope is not None and result.scope.label == "Tiny"


GROUPS = st.sampled_from(["Sales", "Legal", "HR", "Ops", NONE])
FUNCTIONS = st.sampled_from(["Rep", "Lawyer", "Clerk", NONE])


@st.composite
def cubes(draw: st.DrawFn) -> tuple[Population, Cube]:
    population: Population = draw(
        st.dictionaries(st.tuples(GROUPS, FUNCTIONS), st.integers(0, 12), min_size=1)
    )
    cube: Cube = {}
    for (department, function), n in population.items():
        for week in MONDAYS:
            active = draw(st.integers(0, n))
            if not active:
                continue
            apps = draw(st.lists(st.sampled_from(["word", "chat", "teams"]), unique=True))
            for app in apps:
                cube[week, department, function, app] = (draw(st.integers(1, active)), 2, 1)
            cube[week, department, function, ANY_APP] = (active, 2 * len(apps), active)
    return population, cube


@settings(max_examples=60, deadline=None)
@given(cubes(), st.integers(1, 8), st.integers(4, 13))
def test_no_small_group_shows_and_the_organisation_adds_up(
    drawn: tuple[Population, Cube], min_size: int, weeks: int
) -> None:
    population, cube = drawn
    cells = cells_of(population, cube)
    result: Cockpit = cockpit(cells, ask(weeks=weeks, min_size=min_size))
    licensed = sum(population.values())
    if licensed < max(min_size, 1):
        assert result.trend is None and result.notice
        return
    assert result.heatmap and result.flags and result.functions and result.segments
    small = {d for d, n in cells.departments.items() if n < max(min_size, 1)}
    small_functions = {f for f, n in cells.functions.items() if n < max(min_size, 1)}
    shown_departments = [
        *(row.department for row in result.heatmap.rows),
        *(flag.department for flag in result.flags.departments),
        *(group.group for group in result.segments.departments),
    ]
    assert not small & set(shown_departments)
    assert {h.group for h in result.heatmap.hidden} == small
    assert not small_functions & {row.function for row in result.functions.rows}
    assert {h.group for h in result.functions.hidden} == small_functions
    assert result.trend is not None
    for week in result.trend.weeks:
        total = sum(v[0] for k, v in cube.items() if k[0] == week.week and k[3] == ANY_APP)
        assert week.active == total and week.licensed == licensed
    for line in result.trend.apps:
        for monday, active in zip(result.weeks, line.active, strict=True):
            assert active == sum(
                v[0] for k, v in cube.items() if k[0] == monday and k[3] == line.app
            )
