"""Bulk publishing with acknowledgements counted on one inbox."""

from __future__ import annotations

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.bus import EncodedEvent, PublishFailed, batched, publish_pipelined
from shared.subjects import COPILOT_ACTIVITY


def events(count: int, prefix: str = "e") -> list[EncodedEvent]:
    return [
        EncodedEvent(COPILOT_ACTIVITY, f"{prefix}-{i}", "copilot.activity", b"{}")
        for i in range(count)
    ]


async def test_every_message_is_acknowledged_and_duplicates_are_counted(
    nc: Client, js: JetStreamContext
) -> None:
    assert await publish_pipelined(nc, events(2500), in_flight=300) == (2500, 0)
    assert await publish_pipelined(nc, events(2500)[:1000], in_flight=300) == (0, 1000)
    info = await js.stream_info("SIGNALS")
    assert info.state.messages == 2500


async def test_a_subject_without_a_stream_fails_loudly(nc: Client) -> None:
    stray = [EncodedEvent("nowhere.at.all", "x-1", "copilot.activity", b"{}")]
    with pytest.raises(PublishFailed):
        await publish_pipelined(nc, stray, ack_timeout=5)


async def test_batch_messages_are_counted_in_events(nc: Client, js: JetStreamContext) -> None:
    packed = list(batched(events(1200, "b"), max_events=500))
    assert [b.held for b in packed] == [500, 500, 200]
    assert await publish_pipelined(nc, packed) == (1200, 0)
    assert await publish_pipelined(nc, packed[:1]) == (0, 500)
    info = await js.stream_info("SIGNALS")
    assert info.state.messages == 3
