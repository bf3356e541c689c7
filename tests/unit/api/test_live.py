"""Coalescing and privacy of screen messages, without a network."""

from __future__ import annotations

import asyncio
from datetime import date

from services.api.directory import Snapshot
from services.api.live import Fanout, Live, screen_message
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded

DIRECTORY = Snapshot(team_sizes={"Alpha": 8, "Tiny": 2}, names={"p-named": "Ann"})


def award(person: str, team: str | None, key: str) -> CloudEvent[PointsAwarded]:
    data = PointsAwarded(
        person=person,
        rule="r",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        team=team,
        ledger_key=key,
        points=3,
    )
    return CloudEvent.wrap(data, source="test")


def test_messages_carry_no_person_id_and_no_small_team() -> None:
    anonymous = screen_message(award("p-secret", "Tiny", "k").data, DIRECTORY, 5)
    named = screen_message(award("p-named", "Alpha", "k").data, DIRECTORY, 5)

    assert anonymous == {"kind": "points", "name": None, "team": None, "points": 3}
    assert named == {"kind": "points", "name": "Ann", "team": "Alpha", "points": 3}


def test_a_slow_screen_loses_its_oldest_messages() -> None:
    fanout = Fanout(queue_size=2)
    queue = fanout.subscribe()
    for message in (b"1", b"2", b"3"):
        fanout.broadcast(message)

    assert [queue.get_nowait(), queue.get_nowait()] == [b"2", b"3"]
    fanout.unsubscribe(queue)
    assert len(fanout) == 0


async def test_a_burst_of_points_is_one_message_and_what_follows_one_after_the_interval() -> None:
    fanout = Fanout(queue_size=100)
    queue = fanout.subscribe()
    cleared: list[int] = []
    live = Live(fanout, 5, interval=0.5, on_boards_changed=lambda: cleared.append(1))

    for i in range(10):  # the events of one batch message
        live.award(award("p-named", "Alpha", f"k{i}"), DIRECTORY)
    assert queue.empty()  # sent on the next turn of the loop, counting the whole burst
    first = await asyncio.wait_for(queue.get(), 5)
    for i in range(10, 15):
        live.award(award("p-named", "Alpha", f"k{i}"), DIRECTORY)
    await asyncio.sleep(0)
    assert queue.empty()  # within the interval: held back
    trailing = await asyncio.wait_for(queue.get(), 5)

    assert b"event: boards" in first and b'"awards":10' in first
    assert b'"name":"Ann"' in first and b'"points":3' in first
    assert b'"awards":5' in trailing
    assert len(cleared) == 15
    live.close()


async def test_badges_are_celebrated_and_remembered() -> None:
    fanout = Fanout()
    queue = fanout.subscribe()
    live = Live(fanout, 5, interval=60, celebrations_per_interval=1)
    badge = BadgeAwarded(
        person="p-named",
        rule="b",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        ledger_key="b1",
        badge="explorer",
        title="Explorer",
    )

    live.award(CloudEvent.wrap(badge, source="t"), DIRECTORY)
    live.award(
        CloudEvent.wrap(badge.model_copy(update={"ledger_key": "b2"}), source="t"), DIRECTORY
    )

    messages = [queue.get_nowait() for _ in range(queue.qsize())]
    assert sum(b"event: celebration" in m for m in messages) == 1
    assert [r["title"] for r in live.recent] == ["Explorer", "Explorer"]
    live.close()
