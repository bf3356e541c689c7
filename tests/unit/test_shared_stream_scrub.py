"""Which messages an erasure deletes or rewrites, and what a rewrite keeps."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from shared.stream_scrub import KEEP, MSG_ID, REWRITTEN_HEADER, judge, keys_in, rewritten_headers

PEOPLE = [f"p-{n:024x}" for n in range(1, 7)] + [f"r-{n:024x}" for n in range(1, 4)]


def event(n: int, person: str) -> dict[str, Any]:
    return {"id": f"e-{n}", "subject": person, "data": {"person": person, "points": n}}


batches = st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=12).map(
    lambda people: [event(n, p) for n, p in enumerate(people)]
)
erasures = st.sets(st.sampled_from(PEOPLE), max_size=4)


@given(batches, erasures)
def test_a_batch_loses_exactly_the_erased_events_in_order(
    events: list[dict[str, Any]], erased: set[str]
) -> None:
    verdict = judge(
        {"content-type": "application/cloudevents-batch+json"}, orjson.dumps(events), erased
    )

    others = [e for e in events if e["subject"] not in erased]
    if len(others) == len(events):
        assert verdict == KEEP
    elif not others:
        assert verdict.action == "delete" and verdict.dropped == len(events)
    else:
        assert verdict.action == "rewrite"
        assert orjson.loads(verdict.body) == others
        assert verdict.ids == tuple(e["id"] for e in others)
        assert verdict.dropped == len(events) - len(others)
        # Scrubbing the rewritten message again changes nothing: the result is stable.
        assert judge(None, verdict.body, erased) == KEEP
        assert not keys_in(verdict.body) & erased


@given(batches, erasures)
def test_erasing_one_by_one_or_at_once_leaves_the_same_message(
    events: list[dict[str, Any]], erased: set[str]
) -> None:
    """Erasures (or interrupted scrubs) that rewrite a message in turn end where one
    scrub for all of them ends, down to the message id JetStream deduplicates by."""
    at_once = judge(None, orjson.dumps(events), erased)
    body, last = orjson.dumps(events), KEEP
    for person in sorted(erased):
        verdict = judge(None, body, {person})
        if verdict.action == "delete":
            body, last = b"", verdict
            break
        if verdict.action == "rewrite":
            body, last = verdict.body, verdict
    assert last.action == at_once.action or (at_once == KEEP and last == KEEP)
    if at_once.action == "rewrite":
        assert body == at_once.body
        assert rewritten_headers(None, last) == rewritten_headers({MSG_ID: "batch-old"}, at_once)
        assert rewritten_headers(None, last)[REWRITTEN_HEADER] == "erasure"


def test_a_single_event_or_a_dead_letter_naming_them_is_deleted_whole() -> None:
    gone, kept = PEOPLE[0], PEOPLE[1]
    assert judge(None, orjson.dumps(event(1, gone)), {gone}).action == "delete"
    assert judge(None, orjson.dumps(event(1, kept)), {gone}) == KEEP
    assert judge(None, b"not json " + gone.encode(), {gone}).action == "delete"
    reason = {"Uptake-Reason": f"unparseable: {gone}"}
    assert judge(reason, orjson.dumps([event(1, kept)]), {gone}).action == "delete"


def test_keys_are_whole_tokens() -> None:
    key = PEOPLE[0]
    assert keys_in(f'"{key}"'.encode()) == {key}
    assert keys_in(f"x{key}".encode()) == set()  # part of a longer word
    assert keys_in(f"{key}0".encode()) == set()  # longer hex: another kind of id
    assert keys_in(b"batch-0123456789abcdef0123456789abcdef") == set()
