"""A challenge may end on the calendar's last day (9999-12-31): it is then never decided,
and nothing that adds days to its end overflows."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain.rules import parse_rules
from shared.periods import days_after

FOREVER = """
challenges:
  - {id: forever, title: Always on, start: 2026-01-01, end: 9999-12-31, settle_days: 3}
"""


def test_a_challenge_ending_on_the_last_day_is_decided_never() -> None:
    [challenge] = parse_rules(FOREVER).challenges
    assert challenge.decided_on() == date.max
    assert not challenge.decided_on() <= date(2026, 12, 4)  # the decision loop skips it


@given(st.dates(), st.integers(min_value=0, max_value=400))
def test_days_after_stops_at_the_last_day(day: date, days: int) -> None:
    expected = date.max if (date.max - day).days <= days else day + timedelta(days=days)
    assert days_after(day, days) == expected
