"""Scrubbing a real JetStream stream of erased people: whatever the packing of the messages,
their events are gone, every other event is still there, and a second scrub changes nothing.
The community's announcements naming them (as giver, receiver, author, sender, host or
champion) go whole; the others' stay."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.bus import BATCH_CONTENT_TYPE, CONTENT_TYPE_HEADER, EVENT_CONTENT_TYPE, MSG_ID_HEADER
from shared.bus import publish as publish_one
from shared.events import (
    App,
    ChampionChanged,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    StoryPublished,
    TipPosted,
)
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


def community_announcements(erased: str, kept: str, other: str) -> list[CloudEvent[Any]]:
    """One of each announcement naming ``erased`` in each field that can, and the same
    kinds between the others."""
    day = date(2026, 11, 25)
    starts = datetime(2026, 12, 1, 11, tzinfo=UTC)

    def event(host: str | None, event_id: str) -> ChampionEventChanged:
        return ChampionEventChanged(
            event=event_id,
            change=CommunityChange.CREATED,
            format="office_hours",
            title="Ask me anything",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            departments=["Finance"],
            host=host,
        )

    def story(author: str | None, story_id: str) -> StoryPublished:
        return StoryPublished(
            story=story_id,
            change=CommunityChange.APPROVED,
            app=App.WORD,
            minutes_saved=30,
            text="minutes",
            author=author,
        )

    def tip(sent_by: str, tip_id: str) -> TipPosted:
        titles = {"en": "Summarise a thread"}
        return TipPosted(
            tip=tip_id,
            department="Finance",
            use_case="u",
            app=App.OUTLOOK,
            titles=titles,
            sent_by=sent_by,
        )

    payloads = [
        KudosGiven(kudos="k1", giver=erased, receiver=kept, value="helpful", date=day),
        KudosGiven(kudos="k2", giver=kept, receiver=erased, value="helpful", date=day),
        story(erased, "s1"),
        tip(erased, "t1"),
        event(erased, "e1"),
        ChampionChanged(person=erased, status="approved", departments=["Finance"]),
        # the others' announcements, which stay
        KudosGiven(kudos="k3", giver=kept, receiver=other, value="creative", date=day),
        story(None, "s2"),
        story(kept, "s3"),
        tip(kept, "t2"),
        event(other, "e2"),
        ChampionChanged(person=kept, status="approved", departments=["Finance"]),
    ]
    return [CloudEvent.wrap(p, source="uptake/api") for p in payloads]


async def test_community_announcements_naming_an_erased_person_go_whole(
    js: JetStreamContext,
) -> None:
    erased, kept, other = PEOPLE[0], PEOPLE[1], PEOPLE[2]
    announcements = community_announcements(erased, kept, other)
    for announcement in announcements:
        await publish_one(js, announcement)

    first = await scrub_streams(js, {erased})
    second = await scrub_streams(js, {erased})

    assert not await stream_traces(js, [erased])
    assert (first.deleted, first.rewritten, first.events) == (6, 0, 6)
    assert (second.deleted, second.rewritten, second.events) == (0, 0, 0)
    # every announcement not naming them is still there, as it was published
    assert await community_ids(js) == [a.id for a in announcements[6:]]
    assert await stream_traces(js, [kept]) and await stream_traces(js, [other])


async def community_ids(js: JetStreamContext) -> list[str]:
    state = (await js.stream_info("COMMUNITY")).state
    ids: list[str] = []
    for seq in range(state.first_seq, state.last_seq + 1):
        try:
            msg = await js.get_msg("COMMUNITY", seq)
        except NotFoundError:
            continue  # deleted
        ids.append(orjson.loads(msg.data or b"{}")["id"])
    return ids
