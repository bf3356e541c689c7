"""The hand-built awards.points events are the documents the shared contract describes,
packed the way the shared batch format packs them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from nats.js import JetStreamContext

from services.scoring import announcements
from services.scoring.announcements import (
    PointsBatches,
    announce_points,
    envelope,
    held_event,
    points_event,
)
from services.scoring.domain.model import Award, AwardKind
from services.scoring.rulebook import default_rules
from services.scoring.store.directory import Membership
from shared.bus import EncodedEvent, batched, is_batch
from shared.events import (
    AwardBase,
    BadgeAwarded,
    CloudEvent,
    LevelReached,
    PointsAwarded,
    parse_event,
)
from shared.ids import event_id
from shared.languages import Text

NOW = "2026-11-02T09:00:01.123456+00:00"


def award_event(
    award: Award, member: Membership | None, total: int | None = None
) -> AwardBase | None:
    """The award as the shared contract's pydantic event: what the hand-built JSON must equal."""
    common: dict[str, Any] = {
        "person": award.person,
        "rule": award.rule,
        "ruleset_version": award.version,
        "activity_date": award.day,
        "team": member.team if member else None,
        "department": member.department if member else None,
        "ledger_key": award.key,
    }
    match award.kind:
        case AwardKind.POINTS:
            if award.points <= 0:
                return None
            return PointsAwarded(**common, points=award.points, total=total)
        case AwardKind.BADGE:
            return BadgeAwarded(**common, badge=award.ref or "", title=award.title or "")
        case AwardKind.LEVEL:
            return LevelReached(**common, level=int(award.ref or 0), title=award.title or "")
    return None


def points(
    i: int, person: str = "p-1", points: int = 4, kind: AwardKind = AwardKind.POINTS
) -> Award:
    return Award(
        key=f"points.prompt|v3|{i:04d}",
        kind=kind,
        rule="points.prompt" if i % 3 else 'points."quoted" ✓',
        version=3 + i % 2,
        person=person,
        day=date(2026, 11, 1 + i % 3),
        at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        points=points,
    )


MEMBERS = {
    "p-1": Membership("Red", None, licensed=True, removed=False),
    "p-2": Membership('Équipe "Blauw"', "Ops\\Sales", licensed=True, removed=False),
    "p-3": Membership(None, None, licensed=False, removed=True),
}
TOTALS = {"p-1": 40, "p-3": 0}


def awards(count: int) -> list[Award]:
    people = ["p-1", "p-2", "p-3", "p-4"]
    return [points(i, people[i % 4]) for i in range(count)]


def one_by_one(items: list[Award]) -> list[EncodedEvent]:
    """What announce_points sent before batches: one points_event per message."""
    singles = []
    for award in items:
        if award.kind != AwardKind.POINTS or award.points <= 0:
            continue
        identity, body = points_event(
            award, MEMBERS.get(award.person), TOTALS.get(award.person), NOW
        )
        singles.append(EncodedEvent("awards.points", identity, "awards.points", body))
    return singles


def test_points_event_matches_the_pydantic_envelope() -> None:
    award = Award(
        key="points.prompt|v3|abc",
        kind=AwardKind.POINTS,
        rule="points.prompt",
        version=3,
        person="p-1",
        day=date(2026, 11, 2),
        at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        points=4,
    )
    member = Membership("Red", None, licensed=True, removed=False)
    identity, body = points_event(award, member, 40, "2026-11-02T09:00:01+00:00")
    parsed = parse_event(body)
    expected_payload = award_event(award, member, 40)
    assert isinstance(expected_payload, PointsAwarded)
    expected = CloudEvent.wrap(
        expected_payload, source="uptake/scoring", time=datetime(2026, 11, 2, 9, 0, 1, tzinfo=UTC)
    )
    assert identity == expected.id
    assert parsed == parse_event(expected.to_bytes())


@pytest.mark.parametrize("person", ["p-1", "p-2", "p-3", "p-4"])  # teams, quotes, none, absent
@pytest.mark.parametrize(
    ("kind", "ref", "title", "model"),
    [
        (AwardKind.BADGE, "first-word", 'First "Word" ✓', BadgeAwarded),
        (AwardKind.LEVEL, "3", "Explorer", LevelReached),
    ],
)
def test_badge_and_level_events_match_the_pydantic_envelope(
    person: str, kind: AwardKind, ref: str, title: str, model: type
) -> None:
    award = Award(
        key=f"{kind}.x|v3|{person}",
        kind=kind,
        rule=f"{kind}.x",
        version=3,
        person=person,
        day=date(2026, 11, 2),
        at=datetime(2026, 11, 2, tzinfo=UTC),
        points=0,
        ref=ref,
        title=title,
    )
    member = MEMBERS.get(person)
    encoded = held_event(award, member, "2026-11-02T09:00:01+00:00")
    payload = award_event(award, member)
    assert encoded is not None and payload is not None
    assert isinstance(payload, model)
    expected = envelope(payload, datetime(2026, 11, 2, 9, 0, 1, tzinfo=UTC))
    assert (encoded.subject, encoded.id, encoded.type) == (
        payload.subject_name,
        expected.id,
        expected.type,
    )
    assert parse_event(encoded.body) == parse_event(expected.to_bytes())


TRANSLATED = Text({"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"}, "nl")


def held(kind: AwardKind, ref: str, title: str) -> Award:
    return Award(
        key=f"{kind}.x|v3|p-1",
        kind=kind,
        rule=f"{kind}.x",
        version=3,
        person="p-1",
        day=date(2026, 11, 2),
        at=datetime(2026, 11, 2, tzinfo=UTC),
        ref=ref,
        title=title,
    )


@pytest.mark.parametrize(("kind", "ref"), [(AwardKind.BADGE, "explorer-3"), (AwardKind.LEVEL, "2")])
def test_badge_and_level_events_carry_the_title_in_every_language_given(
    kind: AwardKind, ref: str
) -> None:
    encoded = held_event(held(kind, ref, TRANSLATED), MEMBERS["p-1"], NOW)
    assert encoded is not None
    event = parse_event(encoded.body).data
    assert event.title == "Ontdekker"
    assert event.titles == {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"}
    assert [event.title_in(lang) for lang in ("fr", "en", "nl")] == [
        "Explorateur",
        "Explorer",
        "Ontdekker",
    ]


@pytest.mark.parametrize(("kind", "ref"), [(AwardKind.BADGE, "explorer-3"), (AwardKind.LEVEL, "2")])
def test_an_award_read_back_from_the_ledger_gets_its_titles_from_the_rules(
    kind: AwardKind, ref: str
) -> None:
    """Announced again after a redelivery: the ledger row's title is plain text."""
    rules = default_rules()
    encoded = held_event(held(kind, ref, "Ontdekker"), MEMBERS["p-1"], NOW, rules)
    assert encoded is not None
    event = parse_event(encoded.body).data
    assert (event.title, event.title_in("fr"), event.title_in("en")) == (
        "Ontdekker",
        "Explorateur",
        "Explorer",
    )


def test_a_title_in_one_language_only_carries_no_translations() -> None:
    encoded = held_event(held(AwardKind.BADGE, "gone", "Early bird"), None, NOW, default_rules())
    assert encoded is not None
    event = parse_event(encoded.body).data
    assert event.titles == {} and event.title_in("fr") == "Early bird"


def test_only_badges_and_levels_are_held_events() -> None:
    assert held_event(points(1), MEMBERS["p-1"], NOW) is None


def test_batch_messages_are_the_shared_batches_of_the_single_events() -> None:
    items = awards(1203)
    items[7] = points(7, "p-2", points=0)  # nothing to tell
    items[8] = points(8, "p-2", kind=AwardKind.BADGE)  # announced elsewhere

    messages = list(PointsBatches(NOW, MEMBERS, TOTALS).messages(items))

    assert messages == list(batched(one_by_one(items)))
    assert [m.held for m in messages] == [500, 500, 201]
    assert all(
        m.headers()["content-type"] == "application/cloudevents-batch+json" for m in messages
    )


def test_batch_messages_keep_to_the_byte_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(announcements, "BATCH_BYTES", 2000)
    items = awards(40)

    messages = list(PointsBatches(NOW, MEMBERS, TOTALS).messages(items))

    assert len(messages) > 1
    assert messages == list(batched(one_by_one(items), max_bytes=2000))


def test_elements_are_the_events_with_their_ids() -> None:
    items = awards(12)
    [message] = PointsBatches(NOW, MEMBERS, TOTALS).messages(items)

    elements = orjson.loads(message.body)
    events = [parse_event(element) for element in elements]
    assert [e.id for e in events] == [event_id("awards.points", a.key) for a in items]
    second = events[1].data
    assert isinstance(second, PointsAwarded)
    assert (second.team, second.department, second.total) == ('Équipe "Blauw"', "Ops\\Sales", None)


async def test_announce_points_publishes_batch_messages(js: JetStreamContext) -> None:
    items = awards(620)

    sent = await announce_points(js, items, MEMBERS, TOTALS)
    await js._nc.flush()

    assert sent == 620
    sub = await js.pull_subscribe("awards.points", durable="t-points", stream="AWARDS")
    messages = await sub.fetch(10, timeout=5)
    assert len(messages) == 2 and all(is_batch(m) for m in messages)
    events = [parse_event(element) for m in messages for element in orjson.loads(m.data)]
    assert [e.id for e in events] == [event_id("awards.points", a.key) for a in items]
    assert [e.id for e in events] == [single.id for single in one_by_one(items)]
    assert all(isinstance(e.data, PointsAwarded) and e.data.points == 4 for e in events)
