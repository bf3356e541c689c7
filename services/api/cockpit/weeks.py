"""Which weeks the cockpit shows: complete ISO weeks the cube covers, newest last.

A week is complete once its Sunday is on or before the cube's last day, and known
once its Monday is on or after the cube's first day; the current, partial week is
never charted (it would always look like a dip).
"""

from __future__ import annotations

from datetime import date, timedelta

from shared.insight_tables import week_of

WEEK = timedelta(days=7)
FLAG_WEEKS = 4  # the flags and the 4-week figures compare 4 complete weeks with 4 before
READ_WEEKS = 2 * FLAG_WEEKS  # always read enough weeks for them, whatever is shown


def last_complete_week(last_day: date) -> date:
    """The Monday of the latest week whose Sunday is on or before ``last_day``."""
    return week_of(last_day + timedelta(days=1)) - WEEK


def weeks_ending(last: date, count: int) -> list[date]:
    """``count`` Mondays ending with ``last``, oldest first."""
    return [last - WEEK * back for back in range(count - 1, -1, -1)]


def known(week: date, first_day: date, last_day: date) -> bool:
    """Whether the cube covers all of ``week``."""
    return week >= first_day and week + timedelta(days=6) <= last_day
