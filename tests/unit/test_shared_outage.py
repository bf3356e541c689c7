"""``shared.outage.wait_out``: retries until the store answers, keeps held messages from
redelivery meanwhile, gives up only on stop, and lets a refusal through."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from nats.aio.msg import Msg

from shared.outage import wait_out


class Held:
    """A message in hand: counts its progress acknowledgements."""

    def __init__(self) -> None:
        self.touched = 0

    async def in_progress(self) -> None:
        self.touched += 1


def held(*messages: Held) -> list[Msg]:
    return cast(list[Msg], list(messages))


async def test_it_retries_until_the_store_answers_and_touches_the_held_messages() -> None:
    calls = 0

    async def attempt() -> None:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ConnectionRefusedError

    message = Held()
    waited = await wait_out(attempt, held(message), asyncio.Event(), 0.3, lambda _: True)
    assert waited is not None and waited > 0
    assert calls == 4
    assert message.touched >= 1  # the waits took longer than a third of ack_wait


async def test_stop_ends_the_wait_without_success() -> None:
    stop = asyncio.Event()

    async def attempt() -> None:
        stop.set()
        raise ConnectionRefusedError

    assert await wait_out(attempt, [], stop, 30.0, lambda _: True) is None


async def test_a_refusal_once_the_store_answers_is_raised() -> None:
    async def attempt() -> Any:
        raise ValueError("refused: bad value")

    with pytest.raises(ValueError, match="bad value"):
        await wait_out(attempt, [], asyncio.Event(), 30.0, lambda e: isinstance(e, OSError))
