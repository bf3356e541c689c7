"""Which boards a fact moves, per-capita divisors, challenge units counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.scoring.domain.boards import BoardDelta, Fact, Group, Seen, contribute
from services.scoring.domain.rules import parse_rules
from shared.leaderboards import decode_value, encode_score, minute_tick

RULES = parse_rules(
    """
seasons: [{id: q4, title: Q4, start: 2026-10-01, end: 2026-12-31}]
challenges:
  - {id: days, title: D, scope: team, metric: active_days, start: 2026-11-01, end: 2026-11-30}
"""
)
AT = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_a_fact_moves_calendar_season_group_and_challenge_boards() -> None:
    facts = [
        Fact("p-1", date(2026, 11, 30), 10, AT, "word"),
        Fact("p-1", date(2026, 11, 30), 5, AT, "excel"),
    ]
    groups = {"p-1": Group("Red", "Sales", team_size=4, department_size=10)}
    delta = contribute(facts, RULES, groups, Seen(), BoardDelta())
    assert set(delta.boards) == {
        *(
            f"lb:{s}:{w}"
            for s in ("people", "teams", "departments")
            for w in ("day:2026-11-30", "week:2026-W49", "month:2026-11", "all:all", "season:q4")
        ),
        "lb:teams:challenge:days",
    }
    team = delta.boards["lb:teams:month:2026-11"]["Red"]
    assert (team.amount, team.divisor, team.tick) == (15, 4, minute_tick(AT))
    # The same person and day count once towards an active-days challenge.
    assert delta.boards["lb:teams:challenge:days"]["Red"].amount == 1


def test_removed_people_count_nowhere_and_unknown_people_only_on_their_own() -> None:
    fact = Fact("p-2", date(2026, 11, 2), 10, AT, "word")
    assert contribute([fact], RULES, {}, Seen(), BoardDelta()).boards == {}
    alone = contribute([fact], RULES, {"p-2": Group(None, None)}, Seen(), BoardDelta())
    assert all(key.startswith("lb:people:") for key in alone.boards)


def test_ties_rank_who_got_there_first_higher() -> None:
    early = encode_score(10, datetime(2026, 11, 2, 9, tzinfo=UTC))
    late = encode_score(10, datetime(2026, 11, 2, 10, tzinfo=UTC))
    assert early > late and decode_value(early) == decode_value(late) == 10
    assert encode_score(10.01, datetime(2026, 11, 30, tzinfo=UTC)) > early
