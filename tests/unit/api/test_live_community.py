"""What screens hear of the community: which view to read again, a kudos as a shout-out
with opted-in names only, never a person id or a story's text."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

from services.api.directory import Snapshot
from services.api.live import Fanout, Live, community_message, is_community
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

NAMED = Snapshot(names={"p-ann": "Ann"})


def kudos(n: int) -> CloudEvent[KudosGiven]:
    given = KudosGiven(
        kudos=f"k-{n}", giver="p-ann", receiver="p-bob", value="helpful", date=date(2026, 12, 4)
    )
    return CloudEvent.wrap(given, source="test")


def decoded(queue: asyncio.Queue[bytes]) -> list[tuple[str, dict[str, object]]]:
    out = []
    while not queue.empty():
        lines = queue.get_nowait().decode().splitlines()
        name = next(line for line in lines if line.startswith("event:")).removeprefix("event:")
        data = next(line for line in lines if line.startswith("data:")).removeprefix("data:")
        out.append((name.strip(), json.loads(data)))
    return out


def test_each_announcement_says_which_view_to_read_again() -> None:
    story = StoryPublished(
        story="s-1", change=CommunityChange.REMOVED, app=App.WORD, minutes_saved=5, text="Private",
        author="p-ann",
    )  # fmt: skip
    starts = datetime(2026, 12, 7, 12, tzinfo=UTC)
    event = ChampionEventChanged(
        event="e-1", change=CommunityChange.UPDATED, format="office_hours", title="Office hours",
        starts_at=starts, ends_at=starts + timedelta(hours=1), host="p-ann",
    )  # fmt: skip

    assert community_message(story, NAMED) == {"kind": "story", "change": "removed"}
    assert community_message(kudos(1).data, NAMED) == {
        "kind": "kudos",
        "giver": "Ann",
        "receiver": None,
        "value": "helpful",
    }
    assert community_message(event, NAMED) == {
        "kind": "event",
        "change": "updated",
        "opens_at": "2026-12-07T11:50:00+00:00",
        "closes_at": "2026-12-07T13:15:00+00:00",
    }
    tip = TipPosted(tip="t", department="Sales", use_case="u", app=App.WORD, titles={})
    champion = ChampionChanged(person="p-ann", status="approved")
    assert community_message(tip, NAMED) is None and community_message(champion, NAMED) is None
    assert is_community(kudos(1)) and is_community(CloudEvent.wrap(tip, source="test"))


async def test_kudos_shout_outs_share_the_celebrations_budget_and_news_is_not_throttled() -> None:
    fanout = Fanout()
    queue = fanout.subscribe()
    live = Live(fanout, 5, interval=3600, celebrations_per_interval=2)
    story = StoryPublished(
        story="s-1", change=CommunityChange.APPROVED, app=App.WORD, minutes_saved=5, text="x"
    )
    for n in range(4):
        live.community(kudos(n), NAMED)
    for _ in range(3):
        live.community(CloudEvent.wrap(story, source="test"), NAMED)

    heard = decoded(queue)

    assert [(name, data["kind"]) for name, data in heard] == [
        ("community", "kudos"),
        ("community", "kudos"),
        ("community", "story"),
        ("community", "story"),
        ("community", "story"),
    ]
    assert all("at" in data for _, data in heard)
    assert "p-ann" not in json.dumps(heard) and "p-bob" not in json.dumps(heard)
