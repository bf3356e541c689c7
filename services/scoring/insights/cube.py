"""The group cube's cells worked out from the first level, without SQL: pure functions.

A week's cells come from that week's ``insight_usage_week`` rows of licensed people
still in the directory (``Placed``: person -> department and function, ``NONE`` where
the directory gives none). Per department, function and app they count the people
active, their actions and their active person-days (weekdays in the mask); the
``ANY_APP`` cell counts a person once over their apps, with the weekdays of all apps
together. Per day, the people active in any app. Segments judge every licensed person's
actions per week with :func:`services.scoring.domain.progress.tier_for`, as /me does.
The recent cells count, over the 28 days ending the cube's day, the people active per
app and in any app (their weekday masks cut at the 28 days' edges) and every licensed
person's number of active days, bucketed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.scoring.domain.progress import tier_for
from services.scoring.domain.rules import TierRules
from shared.insight_tables import ANY_APP, DAY_BUCKETS, NONE, RECENT_DAYS, week_of

Group = tuple[str, str]  # (department, function)
Placed = Mapping[str, Group]  # licensed people still in the directory
UsageRow = tuple[str, str, int, int]  # person, app, actions, weekday mask
CUBE_WEEKS = 13  # complete weeks before the current one
WEEKDAYS = [tuple(n for n in range(7) if mask >> n & 1) for mask in range(128)]  # mask -> days


@dataclass(frozen=True)
class Window:
    """What a cube built on ``today`` covers: the last 13 complete ISO weeks and the
    current one, and the complete weeks the tiers are judged over."""

    today: date
    segment_weeks: int

    @property
    def current(self) -> date:
        return week_of(self.today)

    @property
    def first_week(self) -> date:
        return self.current - timedelta(weeks=CUBE_WEEKS)

    @property
    def weeks(self) -> list[date]:
        return [self.first_week + timedelta(weeks=n) for n in range(CUBE_WEEKS + 1)]

    @property
    def segments_until(self) -> date:
        """The Sunday before the current week: the end of the last complete week."""
        return self.current - timedelta(days=1)

    @property
    def tier_weeks(self) -> list[date]:
        """The Mondays of the complete weeks the tiers are judged over, oldest first."""
        last = week_of(self.segments_until)
        return [last - timedelta(weeks=n) for n in range(self.segment_weeks - 1, -1, -1)]

    @property
    def recent_weeks(self) -> dict[date, int]:
        """The Mondays of the weeks the 28 days ending today overlap, each with the mask
        of its weekdays inside them."""
        since = self.today - timedelta(days=RECENT_DAYS - 1)
        masks: dict[date, int] = {}
        for n in range(RECENT_DAYS):
            day = since + timedelta(days=n)
            masks[week_of(day)] = masks.get(week_of(day), 0) | 1 << day.weekday()
        return masks


def group_of(department: str | None, function: str | None) -> Group:
    return (department or NONE, function or NONE)


@dataclass
class WeekCells:
    """One week's cells: (department, function, app) -> [people, actions, person-days],
    and (day, department, function) -> people."""

    week: date
    cells: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    days: dict[tuple[date, str, str], int] = field(default_factory=dict)


def week_cells(week: date, rows: Iterable[UsageRow], placed: Placed) -> WeekCells:
    """The cells of ``week`` from its usage rows (one per person and app)."""
    out = WeekCells(week)
    cells = out.cells
    anyone: dict[str, list[int]] = {}  # person -> [actions, mask] over apps
    for person, app, actions, days in rows:
        group = placed.get(person)
        if group is None:
            continue
        key = (group[0], group[1], app)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0, 0, 0]
        cell[0] += 1
        cell[1] += actions
        cell[2] += days.bit_count()
        total = anyone.get(person)
        if total is None:
            anyone[person] = [actions, days]
        else:
            total[0] += actions
            total[1] |= days
    weekdays = [week + timedelta(days=n) for n in range(7)]
    for person, (actions, days) in anyone.items():
        department, function = placed[person]
        key = (department, function, ANY_APP)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0, 0, 0]
        cell[0] += 1
        cell[1] += actions
        cell[2] += days.bit_count()
        for n in WEEKDAYS[days & 127]:
            day_key = (weekdays[n], department, function)
            out.days[day_key] = out.days.get(day_key, 0) + 1
    return out


def population(placed: Placed) -> dict[Group, int]:
    counts: dict[Group, int] = {}
    for group in placed.values():
        counts[group] = counts.get(group, 0) + 1
    return counts


def segments(
    placed: Placed, actions: Mapping[str, Sequence[int]], rules: TierRules
) -> dict[tuple[str, str, str], int]:
    """People per (department, function, tier): ``actions`` holds each active person's
    actions per judged week; everyone else placed has none and gets "none"."""
    counts: dict[tuple[str, str, str], int] = {}
    idle = [0] * rules.weeks
    judged: dict[tuple[int, ...], str] = {}  # many people share a history
    for person, (department, function) in placed.items():
        weeks = tuple(actions.get(person, idle))
        tier = judged.get(weeks)
        if tier is None:
            tier = judged[weeks] = tier_for(weeks, rules).id
        key = (department, function, tier)
        counts[key] = counts.get(key, 0) + 1
    return counts


def bucket_of(days: int) -> str:
    return next(name for name, low, high in DAY_BUCKETS if low <= days <= high)


@dataclass
class RecentCells:
    """The 28 days ending the cube's day: (department, function, app) -> [people,
    actions], and (department, function, bucket) -> people. Fed one week at a time."""

    masks: Mapping[date, int]
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (person, app) -> actions
    days: dict[str, int] = field(default_factory=dict)  # person -> active days

    def add(self, week: date, rows: Iterable[UsageRow], placed: Placed) -> None:
        """Take one overlapped week's usage rows (one per person and app)."""
        inside = self.masks[week]
        weekdays: dict[str, int] = {}  # person -> the week's days inside, any app
        for person, app, actions, days in rows:
            on = days & inside
            if not on or person not in placed:
                continue
            self.seen[(person, app)] = self.seen.get((person, app), 0) + actions
            self.seen[(person, ANY_APP)] = self.seen.get((person, ANY_APP), 0) + actions
            weekdays[person] = weekdays.get(person, 0) | on
        for person, on in weekdays.items():
            self.days[person] = self.days.get(person, 0) + on.bit_count()

    def cells(self, placed: Placed) -> dict[tuple[str, str, str], list[int]]:
        cells: dict[tuple[str, str, str], list[int]] = {}
        for (person, app), actions in self.seen.items():
            cell = cells.setdefault((*placed[person], app), [0, 0])
            cell[0] += 1
            cell[1] += actions
        return cells

    def buckets(self, placed: Placed) -> dict[tuple[str, str, str], int]:
        counts: dict[tuple[str, str, str], int] = {}
        for person, group in placed.items():
            key = (*group, bucket_of(self.days.get(person, 0)))
            counts[key] = counts.get(key, 0) + 1
        return counts
