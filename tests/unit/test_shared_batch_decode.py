"""Messages holding one event or a CloudEvents JSON batch, read with shared.batches.decode."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from nats.aio.msg import Msg

from shared.batches import decode
from shared.bus import BATCH_CONTENT_TYPE as BATCH
from shared.bus import EncodedEvent, batched
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded


def points(i: int) -> CloudEvent[Any]:
    payload = PointsAwarded(
        person=f"p-{i}",
        rule="points.prompt",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        ledger_key=f"k-{i}",
        points=i + 1,
    )
    return CloudEvent.wrap(payload, source="test")


def badge(i: int) -> CloudEvent[Any]:
    payload = BadgeAwarded(
        person=f"p-{i}",
        rule="badge.explorer",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        ledger_key=f"b-{i}",
        badge="explorer",
        title="Explorer",
    )
    return CloudEvent.wrap(payload, source="test")


def message(encoded: EncodedEvent) -> Msg:
    return Msg(None, subject=encoded.subject, data=encoded.body, headers=encoded.headers())  # type: ignore[arg-type]


def encoded(event: CloudEvent[Any]) -> EncodedEvent:
    return EncodedEvent(event.data.nats_subject(), event.id, event.type, event.to_bytes())


def batch_of(bodies: list[bytes], event_type: str = "awards.points") -> Msg:
    [packed] = batched(
        EncodedEvent("awards.points", f"id-{i}", event_type, body) for i, body in enumerate(bodies)
    )
    return message(packed)


def test_a_single_event_message() -> None:
    event = points(1)

    assert decode(message(encoded(event))) == ([event], [])


def test_a_message_without_headers_is_a_single_event() -> None:
    event = badge(1)

    assert decode(Msg(None, subject="awards.badge", data=event.to_bytes())) == ([event], [])  # type: ignore[arg-type]


def test_a_batch_gives_every_event_in_order() -> None:
    events = [points(i) for i in range(30)]
    [packed] = batched(encoded(e) for e in events)

    assert decode(message(packed)) == (events, [])


def test_an_unreadable_element_is_set_aside_alone_with_its_reason() -> None:
    events = [points(i) for i in range(4)]
    bodies = [e.to_bytes() for e in events]
    bodies.insert(2, b'{"specversion":"1.0","id":"x","type":"awards.points"}')
    bodies.append(b'"just a string"')

    good, bad = decode(batch_of(bodies))

    assert good == events
    assert [b.position for b in bad] == [2, 5]
    assert orjson.loads(bad[0].body)["id"] == "x" and bad[1].body == b'"just a string"'
    assert "source" in bad[0].reason and "JSON object" in bad[1].reason


def test_elements_of_another_type_than_the_header_says_are_read_by_their_own_type() -> None:
    events = [points(0), badge(1)]
    bodies = [e.to_bytes() for e in events] + [b'{"type":"awards.unknown"}']

    good, bad = decode(batch_of(bodies))

    assert good == events
    assert [b.position for b in bad] == [2]


def test_a_batch_that_is_not_json_is_unreadable_as_a_whole() -> None:
    with pytest.raises(ValueError, match="unreadable batch"):
        decode(batch_of([b"{"]))


def test_a_batch_that_is_no_json_array_is_unreadable_as_a_whole() -> None:
    body = points(0).to_bytes()
    single_as_batch = EncodedEvent("awards.points", "x", "awards.points", body, 1, BATCH)

    with pytest.raises(ValueError, match="JSON array"):
        decode(message(single_as_batch))


def test_an_unreadable_single_event_is_unreadable_as_a_whole() -> None:
    with pytest.raises(ValueError):
        decode(message(EncodedEvent("awards.points", "x", "awards.points", b'{"no": 1}')))
