"""Scrubbing a real JetStream stream of erased people: whatever the packing of the messages,
their events are gone, every other event is still there, and a second scrub changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext

from shared.bus import BATCH_CONTENT_TYPE, CONTENT_TYPE_HEADER, EVENT_CONTENT_TYPE, MSG_ID_HEADER
from shared.stream_scrub import REWRITTEN_HEADER, keys_in, scrub_streams
from tests.integration.traces import stream_traces

PEOPLE = [f"p-{n:024x}" for n in range(1, 6)] + [f"r-{n:024x}" for n in range(1, 3)]
SUBJECT = "signals.copilot.activity"

# messages: each a list of people, one event each; a one-element list may go out unbatched
packings = st.lists(
    st.tuples(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=6), st.booleans()),
    min_size=1,
    max_size=8,
)


async def publish(js: JetStreamContext, packing: list[tuple[list[str], bool]]) -> dict[str, str]:
    """The messages, and every event's person by event id."""
    owners: dict[str, str] = {}
    run = uuid.uuid4().hex  # message ids of this example only: JetStream deduplicates by them
    for m, (people, single) in enumerate(packing):
        events = []
        for n, person in enumerate(people):
            event_id = f"e-{run}-{m}-{n}"
            owners[event_id] = person
            events.append({"id": event_id, "subject": person, "data": {"person": person}})
        alone = single and len(events) == 1
        body = orjson.dumps(events[0] if alone else events)
        kind = EVENT_CONTENT_TYPE if alone else BATCH_CONTENT_TYPE
        headers = {MSG_ID_HEADER: f"m-{run}-{m}", CONTENT_TYPE_HEADER: kind}
        await js.publish(SUBJECT, body, headers=headers)
    return owners


async def stored_events(js: JetStreamContext) -> tuple[list[str], list[dict[str, str]]]:
    """Event ids of every stored message of SIGNALS, and the headers of each message."""
    state = (await js.stream_info("SIGNALS")).state
    ids: list[str] = []
    headers: list[dict[str, str]] = []
    for seq in range(state.first_seq, state.last_seq + 1):
        try:
            msg = await js.get_msg("SIGNALS", seq)
        except Exception:
            continue
        body: Any = orjson.loads(msg.data or b"[]")
        ids += [e["id"] for e in (body if isinstance(body, list) else [body])]
        headers.append(dict(msg.headers or {}))
    return ids, headers


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(packing=packings, erased=st.sets(st.sampled_from(PEOPLE), min_size=1, max_size=3))
async def test_scrubbing_keeps_every_other_event_once_and_is_stable(
    js: JetStreamContext, packing: list[tuple[list[str], bool]], erased: set[str]
) -> None:
    await js.purge_stream("SIGNALS")
    owners = await publish(js, packing)

    first = await scrub_streams(js, erased)
    second = await scrub_streams(js, erased)

    ids, headers = await stored_events(js)
    assert not await stream_traces(js, erased)
    assert sorted(ids) == sorted(i for i, person in owners.items() if person not in erased)
    assert first.events == sum(person in erased for person in owners.values())
    assert (second.deleted, second.rewritten, second.events) == (0, 0, 0)
    rewritten = [h for h in headers if REWRITTEN_HEADER in h]
    assert len(rewritten) == first.rewritten
    assert all(h[MSG_ID_HEADER].startswith("batch-") for h in rewritten)
    assert all(not keys_in(orjson.dumps(h)) & erased for h in headers)
