"""Packing events into CloudEvents JSON batch messages."""

from __future__ import annotations

import orjson
import pytest

from shared.bus import BATCH_CONTENT_TYPE, EncodedEvent, batched


def event(subject: str, n: int, size: int = 10) -> EncodedEvent:
    body = orjson.dumps({"id": f"e-{n}", "pad": "x" * size})
    return EncodedEvent(subject, f"e-{n}", f"type.{subject}", body)


def test_batches_hold_one_subject_keep_order_and_respect_the_count_limit() -> None:
    events = [event("a", n) for n in range(5)] + [event("b", n) for n in range(5, 8)]
    out = list(batched(events, max_events=2))
    # Full batches as they fill, the rest of each subject at the end.
    assert [(b.subject, b.held) for b in out] == [("a", 2), ("a", 2), ("b", 2), ("a", 1), ("b", 1)]
    assert all(b.content_type == BATCH_CONTENT_TYPE for b in out)
    assert all(b.type == f"type.{b.subject}" for b in out)
    for subject, numbers in (("a", range(5)), ("b", range(5, 8))):
        ids = [item["id"] for b in out if b.subject == subject for item in orjson.loads(b.body)]
        assert ids == [f"e-{n}" for n in numbers]


def test_the_byte_limit_starts_a_new_batch() -> None:
    events = [event("a", n, size=400) for n in range(10)]
    out = list(batched(events, max_bytes=1000))
    assert all(len(b.body) <= 1000 for b in out)
    assert sum(b.held for b in out) == 10
    assert len(out) == 5


def test_a_batch_id_follows_its_events() -> None:
    first = list(batched([event("a", n) for n in range(3)]))
    again = list(batched([event("a", n) for n in range(3)]))
    other = list(batched([event("a", n) for n in range(1, 4)]))
    assert first[0].id == again[0].id != other[0].id
    assert first[0].id.startswith("batch-")


def test_nothing_in_nothing_out_and_batches_do_not_nest() -> None:
    assert list(batched([])) == []
    (packed,) = batched([event("a", 1), event("a", 2)])
    with pytest.raises(ValueError, match="single events"):
        list(batched([packed]))
