"""A community announcement notify cannot read is dead-lettered with what is wrong, never
with the words it holds (a story's text); awards keep their full reasons."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from services.notify.consumer import AWARDS, COMMUNITY, StreamConsumer, reason_of
from shared.batches import decode_elements
from shared.events import parse_event

WORDS = "my manager never noticed "


def story_element(text: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "e-1",
        "source": "uptake/api",
        "type": "community.story",
        "time": "2026-11-25T09:00:00Z",
        "data": {
            "story": "s-1",
            "change": "approved",
            "app": "word",
            "minutes_saved": 20,
            "text": text,
        },
    }


def test_a_reason_names_the_field_and_the_rule_not_the_value() -> None:
    with pytest.raises(ValueError) as caught:
        parse_event(orjson.dumps(story_element(WORDS * 40)))
    assert "manager" in str(caught.value)  # what the library would have logged
    assert reason_of(caught.value) == "text: String should have at most 600 characters"


def test_unreadable_elements_of_a_batch_are_told_without_their_words() -> None:
    _, unreadable = decode_elements(orjson.dumps([7, story_element(WORDS * 40)]))
    community = StreamConsumer(None, None, COMMUNITY)  # type: ignore[arg-type]
    awards = StreamConsumer(None, None, AWARDS)  # type: ignore[arg-type]
    reasons = [community.why_unreadable(element) for element in unreadable]
    assert reasons == [
        "Input should be an object",
        "text: String should have at most 600 characters",
    ]
    assert "manager" in awards.why_unreadable(unreadable[1])
