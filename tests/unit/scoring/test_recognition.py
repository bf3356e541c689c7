"""Points granted outside Copilot usage: paid as given, uncapped, taken back when revoked,
and the same ledger and boards whatever order grants, revocations and signals arrive in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.recognition import points_limit, recognition_points
from services.scoring.domain.boards import BoardDelta, Fact, Seen, contribute, seen_from_history
from services.scoring.domain.engine import PersonState, rejudge, score
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.domain.recognition import (
    Grant,
    count_in,
    grant_awards,
    is_recognition,
    ledger_key,
)
from services.scoring.domain.rules import RuleSetError, parse_rules
from services.scoring.replay import replay
from services.scoring.rulebook import default_rules
from shared.events import ActivityKind, App, RecognitionKind
from tests.unit.scoring.test_order_free import (
    GROUPS,
    MONDAY,
    PEOPLE,
    PROPERTY_CALENDAR,
    PROPERTY_RULES,
    TZ,
)
from tests.unit.scoring.test_order_free import fact as signal_fact

RULES = PROPERTY_RULES


def test_the_default_rules_give_points_per_kind_and_a_range_for_activities() -> None:
    rules = default_rules()

    assert recognition_points(rules, RecognitionKind.EVENT_ATTENDED) == 20
    assert recognition_points(rules, RecognitionKind.EVENT_HOSTED) == 40
    assert recognition_points(rules.recognition, RecognitionKind.KUDOS) == 5
    assert points_limit(rules, RecognitionKind.ACTIVITY) == 100
    assert points_limit(rules, RecognitionKind.KUDOS) == 10_000


def test_an_offer_above_the_activity_maximum_is_refused_with_its_path() -> None:
    with pytest.raises(RuleSetError) as refused:
        parse_rules("recognition: {activity: 120, activity_max: 100}")
    assert [p.path for p in refused.value.problems] == ["recognition"]
    with pytest.raises(RuleSetError) as refused:
        parse_rules("recognition: {kudos: -1, story: many}")
    assert sorted(p.path for p in refused.value.problems) == [
        "recognition.kudos",
        "recognition.story",
    ]


def _grant(**fields: Any) -> Grant:
    base: dict[str, Any] = {
        "person": "p-1",
        "grant": "event:e1:attended:p-1",
        "kind": RecognitionKind.EVENT_ATTENDED,
        "points": 20,
        "day": MONDAY,
        "title": "Copilot lunch",
        "granted_event": "g1",
    }
    return Grant(**(base | fields))


def test_a_grant_pays_as_given_and_a_revocation_compensates_on_the_same_day() -> None:
    granted = grant_awards(_grant(), 3, TZ)
    revoked = grant_awards(_grant(revoked=True, reason="duplicate", revoked_event="r1"), 3, TZ)

    assert [(a.rule, a.points, a.day, a.title) for a in granted] == [
        ("recognition.event_attended", 20, MONDAY, "Copilot lunch")
    ]
    assert [(a.points, a.day, a.note, a.event_id) for a in revoked] == [
        (20, MONDAY, "20 for event_attended", "g1"),
        (-20, MONDAY, "revoked: duplicate", "r1"),
    ]
    assert revoked[0].key == granted[0].key == "recognition|v3|event:e1:attended:p-1"
    assert all(a.kind == AwardKind.POINTS and a.app is None for a in revoked)
    # A revocation alone writes nothing until its grant comes.
    assert grant_awards(Grant("p-1", "kudos:1", revoked=True), 3, TZ) == []


def test_a_long_grant_id_still_fits_the_ledger_key() -> None:
    long = "x" * 200
    key = ledger_key("recognition-revoked", 12345, long)
    assert len(key) <= 200
    assert key == ledger_key("recognition-revoked", 12345, long)
    assert key != ledger_key("recognition-revoked", 12345, "y" * 200)


def _signal(n: int, day: date, person: str = "p-0") -> Signal:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9, minutes=n)
    return Signal(f"s-{n}", person, App.WORD, ActivityKind.PROMPT, day, at)


def test_granted_points_are_not_capped_and_do_not_use_up_the_cap() -> None:
    state = PersonState()
    for award in grant_awards(_grant(person="p-0", points=100), 1, TZ):
        count_in(state, award)
    signals = [_signal(n, MONDAY) for n in range(10)]  # 10 prompts of 3, capped at 20

    awards = score(RULES, 1, signals, {"p-0": state}, PROPERTY_CALENDAR, TZ)

    paid = sum(a.points for a in awards if a.kind == AwardKind.POINTS)
    assert paid == 20
    assert state.paid_by_day[MONDAY] == 120
    assert state.granted_by_day[MONDAY] == 100


def test_a_revocation_takes_back_the_level_and_milestone_it_brought() -> None:
    state = PersonState()
    awards = [a for a in grant_awards(_grant(points=200), 1, TZ)]
    for award in awards:
        count_in(state, award)
    first = rejudge(RULES, 1, ["p-1"], {"p-1": state}, TZ, {"p-1": "g1"})
    assert sorted((a.kind, a.ref, a.day) for a in first.new) == [
        (AwardKind.BADGE, "points-150", MONDAY),
        (AwardKind.LEVEL, "2", MONDAY),
        (AwardKind.LEVEL, "3", MONDAY),
    ]

    for award in grant_awards(_grant(points=200, revoked=True), 1, TZ)[1:]:
        count_in(state, award)
    second = rejudge(RULES, 1, ["p-1"], {"p-1": state}, TZ, {"p-1": "r1"})

    assert second.new == second.moved == []
    assert sorted(a.key for a in second.withdrawn) == sorted(a.key for a in first.new)
    assert state.levels == {} and state.badges == {}


def test_a_revocation_moves_a_level_to_the_later_day_it_is_now_reached_on() -> None:
    later = MONDAY + timedelta(days=3)
    state = PersonState()
    grant = _grant(points=40)
    for award in grant_awards(grant, 1, TZ):
        count_in(state, award)
    state.paid_by_day[later] = 40  # Copilot points three days later
    assert [a.day for a in rejudge(RULES, 1, ["p-1"], {"p-1": state}, TZ, {"p-1": "g"}).new] == [
        MONDAY
    ]

    for award in grant_awards(replace(grant, revoked=True), 1, TZ)[1:]:
        count_in(state, award)
    moved = rejudge(RULES, 1, ["p-1"], {"p-1": state}, TZ, {"p-1": "r"}).moved

    assert [(a.ref, a.day) for a in moved] == [("2", later)]
    assert state.levels == {2: later}


# Any signals, grants and revocations, in any order and batching, with repeats.

KINDS = list(RecognitionKind)


@dataclass(frozen=True)
class Granted:
    event_id: str
    person: str
    grant: str
    kind: RecognitionKind
    points: int
    day: date


@dataclass(frozen=True)
class Revoked:
    event_id: str
    person: str
    grant: str
    reason: str


Event = Signal | Granted | Revoked

grant_fact = st.builds(
    lambda n, person, kind, points, offset: Granted(
        f"g-{n}", PEOPLE[person], f"grant-{n}", kind, points, MONDAY + timedelta(days=offset)
    ),
    n=st.integers(0, 7),
    person=st.integers(0, len(PEOPLE) - 1),
    kind=st.sampled_from(KINDS),
    points=st.sampled_from([0, 5, 25, 40, 100, 160]),
    offset=st.integers(0, 34),
)


@dataclass
class Model:
    """The scoring service as it stages a batch (``Scorer.stage``), with dicts for tables."""

    signals: dict[str, Signal] = field(default_factory=dict)
    grants: dict[tuple[str, str], Grant] = field(default_factory=dict)
    ledger: dict[tuple[str, str], Award] = field(default_factory=dict)
    delta: BoardDelta = field(default_factory=BoardDelta)

    def record(self, event: Granted | Revoked) -> Grant:
        """The table's rules: the first grant fills a row in, the first revocation marks it."""
        pair = (event.person, event.grant)
        known = self.grants.get(pair) or Grant(event.person, event.grant)
        if isinstance(event, Granted) and known.kind is None:
            known = replace(
                known,
                kind=event.kind,
                points=event.points,
                day=event.day,
                title=f"for {event.grant}",
                granted_event=event.event_id,
            )
        if isinstance(event, Revoked) and not known.revoked:
            known = replace(known, revoked=True, reason=event.reason, revoked_event=event.event_id)
        self.grants[pair] = known
        return known

    def state_of(self, person: str, exclude: set[str]) -> PersonState:
        """``ledger.load_states``: history from stored signals, paid and held from the ledger."""
        state = PersonState()
        for signal in self.signals.values():
            if signal.person == person and signal.event_id not in exclude:
                state.history.add(signal)
        for (who, _), award in self.ledger.items():
            if who != person:
                continue
            if award.kind == AwardKind.POINTS:
                state.paid_by_day[award.day] = state.paid_by_day.get(award.day, 0) + award.points
                if is_recognition(award.rule):
                    granted = state.granted_by_day
                    granted[award.day] = granted.get(award.day, 0) + award.points
            elif award.kind == AwardKind.BADGE:
                state.badges[award.ref or ""] = award.day
            elif award.kind == AwardKind.LEVEL:
                state.levels[int(award.ref or 0)] = award.day
        return state

    def stage(self, batch: list[Event]) -> None:
        unique = {e.event_id: e for e in batch if isinstance(e, Signal)}
        fresh = sorted((s for i, s in unique.items() if i not in self.signals), key=Signal.sort_key)
        self.signals.update({s.event_id: s for s in fresh})
        touched = {self.record(e) for e in batch if not isinstance(e, Signal)}
        written: list[Award] = []
        for grant in sorted(touched, key=lambda g: (g.person, g.grant)):
            for award in grant_awards(grant, 1, TZ):
                if (award.person, award.key) not in self.ledger:
                    self.ledger[(award.person, award.key)] = award
                    written.append(award)
        triggers = {a.person: a.event_id or "" for a in written}
        persons = sorted({s.person for s in fresh} | set(triggers))
        fresh_ids = {s.event_id for s in fresh}
        states = {p: self.state_of(p, fresh_ids) for p in persons}
        seen = Seen()
        for person in persons:
            seen_from_history(RULES, person, states[person].history, seen)
        awards = score(RULES, 1, fresh, states, PROPERTY_CALENDAR, TZ)
        if triggers:
            judged = rejudge(RULES, 1, triggers, states, TZ, triggers)
            awards += judged.new + judged.moved
            for gone in judged.withdrawn:
                del self.ledger[(gone.person, gone.key)]
        for award in awards:
            if award.redated:
                self.ledger[(award.person, award.key)] = award
            elif (award.person, award.key) not in self.ledger:
                self.ledger[(award.person, award.key)] = award
                written.append(award)
        facts = [
            Fact(a.person, a.day, a.points, a.at, None if a.app is None else a.app.value)
            for a in written
            if a.kind == AwardKind.POINTS
        ]
        contribute(facts, RULES, GROUPS, seen, self.delta)


def outcome(ledger: dict[tuple[str, str], Award]) -> dict[str, Any]:
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    for award in ledger.values():
        if award.kind == AwardKind.POINTS:
            per_day[(award.person, award.day)] += award.points
    return {
        "keys": sorted(ledger),
        "held": {k: (a.ref, a.day) for k, a in ledger.items() if a.kind != AwardKind.POINTS},
        "per_day": dict(per_day),
        "granted": sorted(
            (a.person, a.key, a.points, a.day, a.title, a.note)
            for a in ledger.values()
            if is_recognition(a.rule)
        ),
    }


def rebuilt(ledger: dict[tuple[str, str], Award]) -> dict[str, Any]:
    """Boards set from the ledger, as ``projection.compute`` sums it (person, day, app)."""
    sums: dict[tuple[str, date, str | None], list[Any]] = {}
    for award in ledger.values():
        if award.kind != AwardKind.POINTS:
            continue
        app = None if award.app is None else award.app.value
        found = sums.setdefault((award.person, award.day, app), [0, award.at])
        found[0] += award.points
        found[1] = max(found[1], award.at)
    facts = [
        Fact(p, d, total, at, app) for (p, d, app), (total, at) in sorted(sums.items(), key=str)
    ]
    return boards(contribute(facts, RULES, GROUPS, Seen(), BoardDelta()))


def boards(delta: BoardDelta) -> dict[str, Any]:
    return {
        key: {m: (e.amount, e.tick) for m, e in members.items()}
        for key, members in delta.boards.items()
    }


@settings(max_examples=300, deadline=None)
@given(
    signals=st.lists(signal_fact, max_size=40, unique_by=lambda s: s.event_id),
    grants=st.lists(grant_fact, min_size=1, max_size=8, unique_by=lambda g: g.grant),
    data=st.data(),
)
def test_grants_and_revocations_in_any_order_give_the_same_ledger_and_boards(
    signals: list[Signal], grants: list[Granted], data: st.DataObject
) -> None:
    revoked = data.draw(st.lists(st.sampled_from(grants), unique=True)) if grants else []
    revocations = [Revoked(f"r-{g.grant}", g.person, g.grant, "no show") for g in revoked]
    # A revocation whose grant never comes writes nothing.
    revocations.append(Revoked("r-ghost", PEOPLE[0], "grant-ghost", "mistake"))
    events: list[Event] = [*signals, *grants, *revocations]
    arrival = data.draw(st.permutations(events))
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=12))
    arrival = [*arrival, *repeats]
    data.draw(st.randoms()).shuffle(arrival)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(arrival)), max_size=8)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=False)]

    model = Model()
    for batch in batches:
        model.stage(batch)

    # A replay of everything stored, from scratch, as a rule publication does.
    final = list(model.grants.values())
    replayed = {
        (a.person, a.key): a for a in replay(list(model.signals.values()), RULES, 1, TZ, final)
    }
    assert outcome(model.ledger) == outcome(replayed)
    # Live board updates equal boards rebuilt from the ledger.
    assert boards(model.delta) == rebuilt(model.ledger)
    # Points as given, and taken back exactly when revoked.
    taken_back = {g.grant for g in revoked}
    for grant in grants:
        rows = [
            a
            for a in model.ledger.values()
            if is_recognition(a.rule) and a.event_id in {grant.event_id, f"r-{grant.grant}"}
        ]
        assert sum(a.points for a in rows) == (0 if grant.grant in taken_back else grant.points)
        assert all(a.rule == f"recognition.{grant.kind}" and a.day == grant.day for a in rows)
    assert not any(a.person == PEOPLE[0] and "grant-ghost" in a.key for a in model.ledger.values())
