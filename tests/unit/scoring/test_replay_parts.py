"""Replaying people in groups gives exactly the awards of one replay of everyone."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.domain.model import Signal
from services.scoring.domain.rules import parse_rules
from services.scoring.replay import groups_of_people, replay
from services.scoring.rulebook import default_source
from shared.events import ActivityKind, App

TZ = ZoneInfo("Europe/Brussels")
RULES = parse_rules(default_source())
START = date(2026, 10, 1)


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 50)), st.integers(1, 60))
def test_groups_cover_everyone_once_within_the_bound(counts: dict[str, int], bound: int) -> None:
    groups = groups_of_people(counts, bound)
    assert [p for group in groups for p in group] == sorted(counts)
    for group in groups:
        assert len(group) == 1 or sum(counts[p] for p in group) <= bound


SIGNAL = st.tuples(
    st.sampled_from(["p-a", "p-b", "p-c", "p-d"]),
    st.sampled_from([App.WORD, App.EXCEL, App.TEAMS, App.OUTLOOK]),
    st.sampled_from([ActivityKind.ACTIVE_DAY, ActivityKind.PROMPT]),
    st.integers(0, 40),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(SIGNAL, max_size=60, unique=True), st.integers(1, 30))
def test_a_replay_in_groups_awards_what_one_replay_awards(
    facts: list[tuple[str, App, ActivityKind, int]], bound: int
) -> None:
    signals = [
        Signal(
            f"e-{person}-{app}-{kind}-{offset}",
            person,
            app,
            kind,
            START + timedelta(days=offset),
            datetime.combine(START, datetime.min.time(), UTC) + timedelta(days=offset, hours=9),
        )
        for person, app, kind, offset in facts
    ]
    whole = replay(signals, RULES, 2, TZ)
    counts = Counter(s.person for s in signals)
    parts = [
        award
        for group in groups_of_people(counts, bound)
        for award in replay([s for s in signals if s.person in group], RULES, 2, TZ)
    ]
    assert sorted(parts, key=lambda a: a.key) == sorted(whole, key=lambda a: a.key)
