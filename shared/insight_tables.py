"""Adoption-insight rollups: what the cockpit reads instead of every stored signal.

Two levels, both plain SQL tables:

- ``insight_usage_week``: per person, ISO week (its Monday) and app, the number of
  actions and the weekdays active (a 7-bit mask, Monday = bit 0). Scoring adds to it in
  the same transaction that stores a new signal, so it always equals a GROUP BY over
  ``scoring_signal``; erasing a person deletes their rows.
- The group cube, rebuilt from the first level by scoring's refresher for the weeks that
  changed (all weeks when the directory changed): ``insight_population`` (licensed
  people per department and job function), ``insight_week`` (active people, actions and
  active person-days per week, department, function and app, with ``ANY_APP`` for "any
  app"), ``insight_day`` (active people per day, department and function) and
  ``insight_segment`` (people per usage tier over the last complete weeks),
  ``insight_recent`` (people active and their actions in the 28 days ending the cube's
  last day, per department, function and app) and ``insight_recent_days`` (people per
  number of active days in those 28 days).
  ``insight_refresh`` says when and up to which day it was built.

Departments and functions partition the licensed people (one of each per person, ``NONE``
when the directory gives none), so a sum of distinct-people cells over departments or
functions is exact. Only licensed people still in the directory are counted, as
:mod:`shared.adoption` counts them. The cube holds counts only: no person ids.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Field, SQLModel

ANY_APP = "*"  # the ``app`` of a cell counting activity in any app
NONE = ""  # the department or function of people the directory gives none


def week_of(day: date) -> date:
    """The Monday of ``day``'s ISO week: how weeks are keyed in every insight table."""
    return day - timedelta(days=day.weekday())


def weekday_bit(day: date) -> int:
    return 1 << day.weekday()


def job_function(title: str | None) -> str | None:
    """A job title as a group: trimmed, inner whitespace collapsed, at most 256 characters."""
    if title is None:
        return None
    tidy = re.sub(r"\s+", " ", title).strip()[:256]
    return tidy or None


class UsageWeek(SQLModel, table=True):
    """One person's actions in one app in one ISO week (first level, kept by scoring)."""

    __tablename__ = "insight_usage_week"
    __table_args__ = {"sqlite_with_rowid": False}

    person: str = Field(primary_key=True, max_length=64)
    week: date = Field(primary_key=True)
    app: str = Field(primary_key=True, max_length=32)
    actions: int = 0
    days: int = 0  # bit n set: active on weekday n (Monday = 0)


class Population(SQLModel, table=True):
    """Licensed people per department and function when the cube was built."""

    __tablename__ = "insight_population"

    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    licensed: int


class WeekCell(SQLModel, table=True):
    """Distinct active people, actions and active person-days in one week, group and app."""

    __tablename__ = "insight_week"

    week: date = Field(primary_key=True)
    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    app: str = Field(primary_key=True, max_length=32)  # ANY_APP: in any app
    people: int
    actions: int
    person_days: int


class DayCell(SQLModel, table=True):
    """Distinct people active (in any app) on one day, per department and function."""

    __tablename__ = "insight_day"

    day: date = Field(primary_key=True)
    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    people: int


class SegmentCell(SQLModel, table=True):
    """Licensed people per usage tier (the rule set's ``tiers``, "none" included) over the
    ``weeks`` complete weeks that end on ``insight_refresh.segments_until``."""

    __tablename__ = "insight_segment"

    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    tier: str = Field(primary_key=True, max_length=64)
    people: int


RECENT_DAYS = 28  # the days ``insight_recent`` and ``insight_recent_days`` cover
# Active days in the 28: a bucket's name and its first and last number of days.
DAY_BUCKETS = (("0", 0, 0), ("1-3", 1, 3), ("4-11", 4, 11), ("12+", 12, RECENT_DAYS))


class RecentCell(SQLModel, table=True):
    """Distinct people active in the 28 days ending ``insight_refresh.last_day``, per group
    and app (``ANY_APP``: in any app), and their actions. Actions are kept per ISO week,
    so ``actions`` sums the weeks the 28 days overlap, of the people and apps with an
    active day inside them."""

    __tablename__ = "insight_recent"

    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    app: str = Field(primary_key=True, max_length=32)
    people: int
    actions: int


class RecentDaysCell(SQLModel, table=True):
    """Licensed people per number of days active in any app (a ``DAY_BUCKETS`` name) in
    the 28 days ending ``insight_refresh.last_day``: each person in exactly one bucket,
    "0" counting the inactive."""

    __tablename__ = "insight_recent_days"

    department: str = Field(primary_key=True, max_length=256)
    function: str = Field(primary_key=True, max_length=256)
    bucket: str = Field(primary_key=True, max_length=16)
    people: int


class Refresh(SQLModel, table=True):
    """When the cube was last built, and what it covers (one row, ``id`` 1)."""

    __tablename__ = "insight_refresh"

    id: int = Field(default=1, primary_key=True)
    refreshed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    first_day: date  # the cube covers first_day..last_day
    last_day: date
    segments_until: date  # the Sunday ending the weeks the tiers were judged over
    segment_weeks: int
