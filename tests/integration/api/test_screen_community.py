"""The office screen's community views: the kudos it may show, and the news it hears on
JetStream COMMUNITY (a story approved, a kudos given, a champion event planned), pushed to
every connected screen over Server-Sent Events without any person id or message text."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.kudos import Kudos
from shared.bus import publish
from shared.events import (
    App,
    BadgeAwarded,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    StoryPublished,
    TipPosted,
)
from shared.people import Person
from shared.periods import month_key
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer, add_people, team_of


def everyone_named(team: str, size: int) -> list[Person]:
    """A team and department of their own in which everyone opted in: all may be named."""
    return [
        Person(
            person=f"p-{team.lower()}-{i}",
            display_name=f"{team} Person {i}",
            team=team,
            department=team,
            opted_in=True,
        )
        for i in range(size)
    ]


async def thank(
    engine: AsyncEngine,
    giver: str,
    receiver: str,
    message: str,
    *,
    ago: timedelta = timedelta(minutes=5),
    hidden: bool = False,
    slot: int = 1,
) -> str:
    moment = datetime.now(UTC) - ago
    kudos_id = str(uuid.uuid4())
    async with AsyncSession(engine) as session:
        session.add(
            Kudos(
                id=kudos_id,
                giver=giver,
                receiver=receiver,
                value="helpful",
                message=message,
                day=moment.date(),
                month=month_key(moment.date()),
                slot=slot,
                created_at=moment,
                hidden=hidden,
            )
        )
        await session.commit()
    return kudos_id


async def test_the_screen_names_only_people_who_opted_in_and_shows_a_message_only_then(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await add_people(engine, [*everyone_named("Named", 3), *team_of("Quiet", 6, opted=0)])
    both = await thank(engine, "p-named-0", "p-named-1", "Both named", ago=timedelta(minutes=1))
    one = await thank(engine, "p-named-1", "p-quiet-0", "Only the giver", ago=timedelta(minutes=2))
    hid = await thank(engine, "p-named-2", "p-named-0", "Hidden", hidden=True, slot=1)
    await thank(engine, "p-named-0", "p-named-2", "Too old", ago=timedelta(days=15), slot=2)

    answer = await client.get("/api/screen/kudos")

    assert answer.status_code == 200
    shown = {k["id"]: k for k in answer.json()}
    assert list(shown) == [both, one, hid]  # the latest first; a fortnight back at most
    assert (shown[both]["giver"], shown[both]["receiver"], shown[both]["message"]) == (
        "Named Person 0",
        "Named Person 1",
        "Both named",
    )
    assert (shown[one]["giver"], shown[one]["receiver"], shown[one]["message"]) == (
        "Named Person 1",
        None,
        None,
    )
    assert shown[hid]["message"] is None and shown[hid]["giver"] == "Named Person 2"
    assert "p-" not in answer.text  # no person ids
    limited = await client.get("/api/screen/kudos?limit=1")
    assert [k["id"] for k in limited.json()] == [both]
    assert (await client.get("/api/screen/kudos?limit=0")).status_code == 422


async def read_events(
    lines: AsyncIterator[str], wanted: set[str], count: int
) -> list[tuple[str, dict[str, Any]]]:
    """The first ``count`` messages named one of ``wanted``."""
    events: list[tuple[str, dict[str, Any]]] = []
    name = ""
    async for line in lines:
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:") and name in wanted:
            events.append((name, json.loads(line.removeprefix("data:").strip())))
            if len(events) == count:
                break
    return events


async def test_community_news_reaches_every_screen_without_ids_or_messages(
    live_server: LiveServer, js: JetStreamContext, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    await add_people(engine, [*everyone_named("Named", 2), *team_of("Quiet", 6)])
    starts = datetime(2026, 12, 7, 11, 30, tzinfo=UTC)
    news: list[Any] = [
        TipPosted(
            tip="t-1", department="Named", use_case="word-first-draft", app=App.WORD, titles={}
        ),
        StoryPublished(
            story="s-1",
            change=CommunityChange.APPROVED,
            app=App.TEAMS,
            minutes_saved=30,
            text="Secret story text",
            author="p-named-0",
        ),
        KudosGiven(
            kudos="k-1", giver="p-named-0", receiver="p-quiet-1", value="helpful", date=date.today()
        ),
        ChampionEventChanged(
            event="e-1",
            change=CommunityChange.CREATED,
            format="lunch_and_learn",
            title="Lunch & learn",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        ),
        BadgeAwarded(
            person="p-named-1",
            rule="explorer",
            ruleset_version=1,
            activity_date=date.today(),
            team="Named",
            ledger_key="b-1",
            badge="explorer",
            title="Explorer",
        ),
    ]
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as http:

        async def screen() -> tuple[list[tuple[str, dict[str, Any]]], str]:
            async with http.stream("GET", "/api/live") as response:
                heard = await read_events(response.aiter_lines(), {"community", "celebration"}, 4)
                return heard, json.dumps(heard)

        screens = [asyncio.create_task(screen()) for _ in range(2)]
        async with asyncio.timeout(10):
            while len(live_server.app.state.resources.live.fanout) < 2:
                await asyncio.sleep(0.02)
        for payload in news:
            await publish(js, CloudEvent.wrap(payload, source="test"))
        async with asyncio.timeout(15):
            received = await asyncio.gather(*screens)

    for heard, raw in received:
        # One stream keeps its order; awards come on another, in their own time.
        community = [data for name, data in heard if name == "community"]
        assert [data["kind"] for data in community] == ["story", "kudos", "event"]  # no tip
        assert [data["kind"] for name, data in heard if name == "celebration"] == ["badge"]
        story, kudos, event = community
        assert story["change"] == "approved"
        assert (kudos["giver"], kudos["receiver"]) == ("Named Person 0", None)
        assert kudos["value"] == "helpful"
        assert event["opens_at"] == (starts - timedelta(minutes=10)).isoformat()
        assert event["closes_at"] == (starts + timedelta(minutes=75)).isoformat()
        assert "Secret story text" not in raw and "p-named" not in raw and "p-quiet" not in raw
