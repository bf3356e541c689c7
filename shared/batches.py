"""Reading messages that hold one CloudEvent or a CloudEvents JSON batch of them.

Publishers may pack many events of one subject and type into one message
(:func:`shared.bus.batched`). A consumer reads both kinds with :func:`decode`:
a batch is validated in one call against the type its ``ce-type`` header
names, and only when that fails is it taken apart, so that one unreadable
element is set aside alone, with its reason, and the others are kept.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import orjson
from nats.aio.msg import Msg
from pydantic import TypeAdapter

from shared.bus import is_batch
from shared.events import PAYLOAD_TYPES, CloudEvent, parse_event


class Unreadable(NamedTuple):
    """An element of a batch message that is not a readable event."""

    position: int  # in the batch, from 0
    body: bytes  # the element as JSON
    reason: str


@cache
def _list_of(event_type: str) -> TypeAdapter[list[CloudEvent[Any]]] | None:
    model = PAYLOAD_TYPES.get(event_type)
    if model is None:
        return None
    return TypeAdapter(list[CloudEvent[model]])  # type: ignore[valid-type]


def decode(msg: Msg) -> tuple[list[CloudEvent[Any]], list[Unreadable]]:
    """The events a message holds, and the elements of a batch that could not be read.

    Raises ``ValueError`` when the message as a whole cannot be read: a single
    event that does not parse, or a batch that is not a JSON array.
    """
    if not is_batch(msg):
        return [parse_event(msg.data)], []
    event_type = (msg.headers or {}).get("ce-type", "")
    adapter = _list_of(event_type)
    if adapter is not None:
        try:
            events = adapter.validate_json(msg.data)
        except ValueError:
            pass
        else:
            if all(event.type == event_type for event in events):
                return events, []
    return decode_elements(msg.data)


def decode_elements(data: bytes) -> tuple[list[CloudEvent[Any]], list[Unreadable]]:
    """A batch read element by element (each as :func:`shared.events.parse_event` reads it)."""
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"unreadable batch: {exc}") from None
    if not isinstance(items, list):
        raise ValueError("a batch message must hold a JSON array of events")
    events: list[CloudEvent[Any]] = []
    bad: list[Unreadable] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise ValueError(f"an element must be a JSON object, not {type(item).__name__}")
            events.append(parse_event(item))
        except ValueError as exc:
            bad.append(Unreadable(index, orjson.dumps(item), str(exc)[:300]))
    return events, bad
