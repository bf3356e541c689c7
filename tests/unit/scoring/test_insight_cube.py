"""The cube's cells from usage rows, and its tiers judged exactly as /me judges them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.domain.model import History, Signal
from services.scoring.domain.progress import tier_of
from services.scoring.insights.cube import RecentCells, Window, segments, week_cells
from services.scoring.rulebook import default_rules
from services.scoring.store.usage import rollup
from shared.events import ActivityKind, App
from shared.insight_tables import ANY_APP, NONE

RULES = default_rules()
MONDAY = date(2026, 11, 30)


def test_the_window_covers_thirteen_complete_weeks_and_the_current_one() -> None:
    window = Window(date(2026, 12, 3), 12)
    assert window.current == MONDAY
    assert window.first_week == MONDAY - timedelta(weeks=13)
    assert len(window.weeks) == 14 and window.weeks[-1] == MONDAY
    assert (window.current + timedelta(days=6) - window.first_week).days + 1 >= 90
    assert window.segments_until == date(2026, 11, 29)  # the Sunday before
    assert window.tier_weeks[-1] == date(2026, 11, 23) and len(window.tier_weeks) == 12
    assert Window(date(2026, 11, 29), 12).segments_until == date(2026, 11, 22)  # on a Sunday


def test_any_app_counts_a_person_once_with_the_days_of_all_apps() -> None:
    placed = {"a": ("Sales", "Analyst"), "b": ("Sales", "Analyst"), "c": ("IT", NONE)}
    rows = [
        ("a", "word", 3, 0b0000011),  # Monday, Tuesday
        ("a", "excel", 2, 0b0000110),  # Tuesday, Wednesday
        ("b", "word", 1, 0b1000000),  # Sunday
        ("c", "teams", 4, 0b0000001),
        ("gone", "word", 9, 0b1111111),  # not licensed, or not in the directory
    ]
    found = week_cells(MONDAY, rows, placed)
    assert found.cells == {
        ("Sales", "Analyst", "word"): [2, 4, 3],
        ("Sales", "Analyst", "excel"): [1, 2, 2],
        ("Sales", "Analyst", ANY_APP): [2, 6, 4],  # a: Mon-Wed; b: Sunday
        ("IT", NONE, "teams"): [1, 4, 1],
        ("IT", NONE, ANY_APP): [1, 4, 1],
    }
    assert found.days == {
        (MONDAY, "Sales", "Analyst"): 1,
        (MONDAY + timedelta(days=1), "Sales", "Analyst"): 1,
        (MONDAY + timedelta(days=2), "Sales", "Analyst"): 1,
        (MONDAY + timedelta(days=6), "Sales", "Analyst"): 1,
        (MONDAY, "IT", NONE): 1,
    }


activity = st.lists(
    st.tuples(st.integers(0, 7 * 16), st.sampled_from(list(App)), st.integers(1, 40)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(days=activity, today_shift=st.integers(0, 6))
def test_the_cube_tier_is_the_tier_me_shows_on_the_sunday_the_weeks_end(
    days: list[tuple[int, App, int]], today_shift: int
) -> None:
    today = MONDAY + timedelta(days=today_shift)
    window = Window(today, RULES.tiers.weeks)
    start = window.segments_until - timedelta(days=7 * 16)
    signals = [
        Signal(
            f"e-{n}-{k}",
            "p",
            app,
            ActivityKind.PROMPT,
            start + timedelta(days=offset),
            datetime(2026, 1, 1, tzinfo=UTC),
        )
        for n, (offset, app, count) in enumerate(days)
        for k in range(count)
    ]
    history = History()
    for signal in signals:
        history.add(signal)
    # As the refresher sums a person's usage rows over the judged weeks.
    slot = {week: n for n, week in enumerate(window.tier_weeks)}
    per_week = [0] * len(slot)
    for (_, week, _), (actions, _) in rollup(signals).items():
        if week in slot:
            per_week[slot[week]] += actions
    judged = segments({"p": ("D", "F")}, {"p": per_week} if any(per_week) else {}, RULES.tiers)
    expected = tier_of(history, RULES, window.segments_until).id
    assert judged == {("D", "F", expected): 1}


def test_the_recent_days_are_the_28_ending_today_cut_at_the_weeks_edges() -> None:
    masks = Window(date(2026, 12, 3), 12).recent_weeks  # a Thursday
    assert sorted(masks) == [MONDAY - timedelta(weeks=n) for n in range(4, -1, -1)]
    assert masks[MONDAY - timedelta(weeks=4)] == 0b1110000  # from Friday 6 November
    assert masks[MONDAY] == 0b0001111  # up to Thursday
    assert sum(mask.bit_count() for mask in masks.values()) == 28
    assert Window(date(2026, 11, 29), 12).recent_weeks == {  # a Sunday: four whole weeks
        MONDAY - timedelta(weeks=n): 127 for n in range(1, 5)
    }


def test_recent_cells_count_days_once_over_apps_and_everyone_in_one_bucket() -> None:
    placed = {"a": ("Sales", NONE), "b": ("Sales", NONE), "c": ("IT", NONE), "d": ("IT", NONE)}
    recent = RecentCells(Window(date(2026, 12, 3), 12).recent_weeks)
    first = MONDAY - timedelta(weeks=4)
    recent.add(first, [("a", "word", 5, 0b0001111), ("b", "word", 2, 0b0010001)], placed)
    recent.add(MONDAY - timedelta(weeks=1), [("b", "excel", 1, 0b1111111)], placed)
    recent.add(
        MONDAY,
        [
            ("b", "word", 3, 0b0011111),  # Friday: after today
            ("b", "excel", 4, 0b0000011),  # the same days in another app
            ("c", "teams", 1, 0b0000001),
            ("gone", "word", 9, 0b0000001),
        ],
        placed,
    )
    assert recent.cells(placed) == {
        ("Sales", NONE, "word"): [1, 5],  # b; a's days were all before the 28
        ("Sales", NONE, "excel"): [1, 5],
        ("Sales", NONE, ANY_APP): [1, 10],
        ("IT", NONE, "teams"): [1, 1],
        ("IT", NONE, ANY_APP): [1, 1],
    }
    assert recent.buckets(placed) == {
        ("Sales", NONE, "0"): 1,  # a
        ("Sales", NONE, "12+"): 1,  # b: Friday + 7 + Monday..Thursday = 12 days
        ("IT", NONE, "1-3"): 1,  # c
        ("IT", NONE, "0"): 1,  # d
    }
