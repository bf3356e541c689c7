"""This week's adoption gaps: where a department's Copilot use in an app lags the organisation's.

The weeks compared are the last :data:`WEEKS` complete ISO weeks before today (Monday to
Sunday), as far as the adoption cube covers them. Over those weeks:

- a department's rate in an app is the mean over the weeks of its distinct active people
  in that app divided by its licensed people. The licensed count is the cube's (one per
  build), so this is the department's active person-weeks over ``licensed x weeks``;
- the organisation's rate is the same over every licensed person: all departments,
  the department itself, small departments and people without one included. It is the
  figure the cockpit shows as "across the organisation";
- the gap is the organisation's rate minus the department's, in percentage points.

A department gets a nudge for an app when the gap is at least :data:`MIN_GAP_POINTS` and
the organisation's rate is at least :data:`MIN_ORGANISATION_RATE` (below that, nobody has
found the app useful yet and there is nothing to catch up on). Each department gets at
most :data:`PER_DEPARTMENT` nudges, the largest gaps first. A department below the
minimum group size, or the people the directory gives no department, get none: they are
listed as hidden with the reason.

Rates are exact fractions, so the list does not depend on the order the cells arrive in.
Cells are added up per week, department and app: per-function cells may be passed as they
are. Nothing here names a person: the cube holds counts only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

from shared.insight_tables import ANY_APP, NONE, week_of
from shared.small_groups import shown

WEEKS = 4  # complete ISO weeks compared
MIN_GAP_POINTS = 15  # percentage points the department lags by, at least
MIN_ORGANISATION_RATE = Fraction(1, 10)  # the organisation's rate, at least (10 %)
PER_DEPARTMENT = 3  # nudges per department, at most

HiddenReason = Literal["small", "no_department"]


@dataclass(frozen=True)
class Window:
    """The complete weeks compared: their Mondays, oldest first, and the last Sunday."""

    mondays: tuple[date, ...]

    @property
    def since(self) -> date:
        return self.mondays[0]

    @property
    def until(self) -> date:
        return self.mondays[-1] + timedelta(days=6)

    @property
    def weeks(self) -> int:
        return len(self.mondays)


def window(
    today: date, covered: tuple[date, date] | None = None, weeks: int = WEEKS
) -> Window | None:
    """The last ``weeks`` complete ISO weeks before ``today``, keeping only those the cube
    covers whole (``covered``: its first and last day); ``None`` when none is left."""
    this_monday = week_of(today)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks, 0, -1)]
    if covered is not None:
        first, last = covered
        mondays = [m for m in mondays if m >= first and m + timedelta(days=6) <= last]
    return Window(tuple(mondays)) if mondays else None


@dataclass(frozen=True)
class Cell:
    """Distinct active people of a department in an app in one week (``ANY_APP``: any)."""

    week: date
    department: str
    app: str
    people: int


@dataclass(frozen=True)
class Gap:
    """A department's rate in an app against the organisation's, over the window."""

    department: str
    app: str
    department_rate: Fraction
    organisation_rate: Fraction

    @property
    def points(self) -> Fraction:
        return (self.organisation_rate - self.department_rate) * 100


@dataclass(frozen=True)
class Hidden:
    department: str
    reason: HiddenReason


@dataclass(frozen=True)
class Nudges:
    """This week's list: departments with their nudges (largest gap first), departments
    shown without one, departments hidden, and every shown department's rates (to find
    the departments an app works best in)."""

    window: Window
    departments: dict[str, list[Gap]]
    on_track: list[str]
    hidden: list[Hidden]
    organisation: dict[str, Fraction]  # per app
    rates: dict[str, dict[str, Fraction]]  # per app, per shown department


def _rate(people: int, licensed: int, weeks: int) -> Fraction:
    if licensed <= 0:
        return Fraction(0)
    return min(Fraction(1), Fraction(people, licensed * weeks))


def nudges(
    population: Mapping[str, int],
    cells: Iterable[Cell],
    window: Window,
    min_group_size: int,
    *,
    min_gap_points: int = MIN_GAP_POINTS,
    min_organisation_rate: Fraction = MIN_ORGANISATION_RATE,
    per_department: int = PER_DEPARTMENT,
) -> Nudges:
    """This week's list from the cube: ``population`` is licensed people per department
    (``NONE``: none given), ``cells`` the per-app weekly cells per department."""
    weeks = set(window.mondays)
    people: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        if cell.week in weeks and cell.app != ANY_APP and cell.department in population:
            people[(cell.department, cell.app)] += cell.people
    apps = sorted({app for _, app in people})
    total = sum(population.values())
    organisation = {
        app: _rate(sum(n for (_, a), n in people.items() if a == app), total, window.weeks)
        for app in apps
    }
    hidden: list[Hidden] = []
    shown_departments: list[str] = []
    for department, licensed in sorted(population.items()):
        if department == NONE:
            if licensed > 0:
                hidden.append(Hidden(department, "no_department"))
        elif not shown(licensed, min_group_size):
            hidden.append(Hidden(department, "small"))
        else:
            shown_departments.append(department)
    rates = {
        app: {
            d: _rate(people.get((d, app), 0), population[d], window.weeks)
            for d in shown_departments
        }
        for app in apps
    }
    departments: dict[str, list[Gap]] = {}
    on_track: list[str] = []
    for department in shown_departments:
        gaps = [
            Gap(department, app, rates[app][department], organisation[app])
            for app in apps
            if organisation[app] >= min_organisation_rate
        ]
        gaps = [gap for gap in gaps if gap.points >= min_gap_points]
        gaps.sort(key=lambda gap: (-gap.points, gap.app))
        if gaps:
            departments[department] = gaps[:per_department]
        else:
            on_track.append(department)
    order = sorted(departments, key=lambda d: (-departments[d][0].points, d))
    return Nudges(
        window=window,
        departments={d: departments[d] for d in order},
        on_track=on_track,
        hidden=hidden,
        organisation=organisation,
        rates=rates,
    )


def leaders(result: Nudges, app: str, *, limit: int = 3, besides: str | None = None) -> list[str]:
    """The shown departments where ``app``'s rate is highest and above the organisation's
    (at most ``limit``, ``besides`` left out): where its use cases are seen to work."""
    organisation = result.organisation.get(app, Fraction(0))
    ranked = sorted(
        (
            (rate, department)
            for department, rate in result.rates.get(app, {}).items()
            if department != besides and rate > organisation
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [department for _, department in ranked[:limit]]
