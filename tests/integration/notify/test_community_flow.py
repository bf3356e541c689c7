"""Community announcements -> COMMUNITY -> notify's own durable consumer -> outbox -> Teams
Workflows webhooks on the sandbox, with the real service loop: each card once, in the
right channel and language, naming only who may be named."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify import bootstrap
from services.notify.channels import Channel
from services.notify.community_facts import EventFacts
from services.notify.community_intake import take_community
from services.notify.dispatcher import Sender
from services.notify.engage import EngageSender
from services.notify.facts import load_facts
from services.notify.models import OutboxEntry, Status
from services.notify.teams import TeamsSender
from shared.bus import publish
from shared.database import session_factory
from shared.events import (
    App,
    ChampionChanged,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    Payload,
    StoryPublished,
    TipPosted,
)
from shared.people import Person
from shared.settings import NotifySettings
from tests.integration.notify.awards import add_people
from tests.integration.notify.conftest import Sandbox, eventually
from tests.integration.notify.harness import Harness
from tests.integration.notify.test_engage import SignedIn

ANNA, BRAM, CARL = "p-anna", "p-bram", "p-carl"
DAY = date(2026, 11, 25)
# 11:00 UTC on 3 December 2026 is noon in Brussels.
STARTS = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
STORY_TEXT = "I drafted the quarterly report in an hour instead of a morning"


def wrap(payload: Payload) -> CloudEvent[Any]:
    return CloudEvent.wrap(payload, source="uptake/api")


def tip(tip_id: str, department: str) -> CloudEvent[Any]:
    return wrap(
        TipPosted(
            tip=tip_id,
            department=department,
            use_case="excel-variance",
            app=App.EXCEL,
            titles={"nl": "Verschillen verklaren", "en": "Explain variances"},
            prompts={"nl": ["Leg de grootste verschillen uit"], "en": ["Explain the variances"]},
            sent_by=BRAM,
        )
    )


def story(change: CommunityChange, *, engage: bool = False) -> CloudEvent[Any]:
    return wrap(
        StoryPublished(
            story="s-1",
            change=change,
            app=App.WORD,
            minutes_saved=45,
            text=STORY_TEXT,
            department="Finance",
            author=ANNA,
            post_to_engage=engage,
        )
    )


def event(version: int, change: CommunityChange, title: str) -> CloudEvent[Any]:
    return wrap(
        ChampionEventChanged(
            event="e-1",
            change=change,
            format="lunch_and_learn",
            title=title,
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=1),
            departments=["Finance"],
            host=ANNA,
            version=version,
        )
    )


def kudos(kudos_id: str, giver: str, receiver: str) -> CloudEvent[Any]:
    return wrap(
        KudosGiven(kudos=kudos_id, giver=giver, receiver=receiver, value="helpful", date=DAY)
    )


def channels_json(sandbox: Sandbox) -> str:
    return json.dumps(
        [
            {
                "name": "company",
                "type": "teams",
                "url": sandbox.webhook_for("company"),
                "language": "en",
            },
            {
                "name": "finance",
                "type": "teams",
                "url": sandbox.webhook_for("finance"),
                "language": "nl",
                "departments": ["Finance"],
            },
        ]
    )


@pytest.fixture
async def running(
    notify_settings: Callable[..., NotifySettings],
) -> AsyncIterator[Callable[..., Any]]:
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def start(**overrides: Any) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(bootstrap.run(notify_settings(**overrides), stop))
        stops.append((stop, task))

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, 30)


async def consumed(js: JetStreamContext, published: int) -> None:
    """Until notify's COMMUNITY consumer has acknowledged every message published."""

    async def done() -> bool:
        try:
            info = await js.consumer_info("COMMUNITY", "notify-community")
        except Exception:
            return False
        acked = int(info.ack_floor.stream_seq or 0) if info.ack_floor else 0
        return acked >= published and info.num_ack_pending == 0

    await eventually(done)


async def outbox(engine: AsyncEngine) -> list[OutboxEntry]:
    async with session_factory(engine)() as session:
        return list((await session.exec(select(OutboxEntry).order_by(OutboxEntry.id))).all())  # type: ignore[arg-type]


def text_of(post: dict[str, Any]) -> str:
    return json.dumps(post["card"], ensure_ascii=False)


async def people(engine: AsyncEngine) -> None:
    await add_people(
        engine,
        Person(person=ANNA, display_name="Anna Peeters", department="Finance", opted_in=True),
        Person(person=BRAM, display_name="Bram Claes", department="Finance", opted_in=True),
        Person(person=CARL, display_name="Carl Smet", department="Legal", opted_in=False),
    )


async def test_each_announcement_is_one_card_in_its_channels_language(
    js: JetStreamContext, engine: AsyncEngine, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    await people(engine)
    running(notify_channels=channels_json(sandbox))
    messages = [
        tip("t-1", "Finance"),  # the department's own channel, in Dutch
        tip("t-2", "Sales"),  # no channel of its own: the default one
        story(CommunityChange.APPROVED),
        kudos("k-1", ANNA, BRAM),  # both may be named; Bram is in Finance
        kudos("k-2", ANNA, CARL),  # Carl did not opt in; Legal has no channel
        event(1, CommunityChange.CREATED, "Copilot in Excel"),
        wrap(
            ChampionChanged(
                person=ANNA, status="approved", departments=["Finance"], apps=[App.EXCEL]
            )
        ),
        wrap(ChampionChanged(person=CARL, status="pending", departments=["Legal"])),
    ]
    for message in messages:
        await publish(js, message)
    # the same announcements again under other message ids: JetStream keeps them, notify
    # must not post them twice
    for message in messages[:3]:
        headers = {"Nats-Msg-Id": f"again-{message.id}"}
        await js.publish(message.data.nats_subject(), message.to_bytes(), headers=headers)
    await consumed(js, len(messages) + 3)

    async def all_sent() -> bool:
        rows = await outbox(engine)
        return bool(rows) and {row.status for row in rows} == {Status.SENT}

    await eventually(all_sent)
    posts = await sandbox.posts()
    by_channel = {
        name: [text_of(p) for p in posts if p["channel"] == name] for name in ("company", "finance")
    }
    assert len(posts) == len(await outbox(engine)) == 7
    company, finance = by_channel["company"], by_channel["finance"]
    assert len(company) == 3 and len(finance) == 4
    assert any(
        "Copilot tip: Explain variances" in c and "Explain the variances" in c for c in company
    )
    assert any(
        "Copilot saved 45 minutes" in c and STORY_TEXT in c and "Anna Peeters" in c for c in company
    )
    assert any("A colleague was thanked" in c and "Anna" not in c for c in company)
    assert any("Copilot-tip: Verschillen verklaren" in c for c in finance)
    assert any("Anna Peeters bedankte Bram Claes" in c for c in finance)
    [lunch] = [c for c in finance if "Lunch & learn" in c]
    assert "donderdag 3 december 2026, 12:00\u201313:00" in lunch  # on Brussels' clock
    assert any("Anna Peeters is nu Copilot-kampioen voor Finance" in c for c in finance)
    assert not any("Carl" in c for c in company + finance)


async def test_a_withdrawal_or_a_change_replaces_the_cards_not_yet_sent(
    js: JetStreamContext, engine: AsyncEngine, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    await people(engine)
    # Cards wait an hour before they are due: nothing is sent while the changes arrive.
    running(notify_channels=channels_json(sandbox), notify_settle_seconds=3600)
    messages = [
        story(CommunityChange.APPROVED),
        event(1, CommunityChange.CREATED, "Copilot in Excel"),
        story(CommunityChange.REMOVED),
        event(2, CommunityChange.UPDATED, "Copilot in Excel and Word"),
        story(CommunityChange.APPROVED),  # redelivered after its withdrawal: nothing
        event(1, CommunityChange.CREATED, "Copilot in Excel"),
    ]
    for n, message in enumerate(messages):
        await js.publish(
            message.data.nats_subject(), message.to_bytes(), headers={"Nats-Msg-Id": f"m-{n}"}
        )
    await consumed(js, len(messages))

    rows = await outbox(engine)
    assert [(row.channel, row.kind) for row in rows] == [("finance", "event")]
    facts = load_facts(rows[0].facts)
    assert isinstance(facts, EventFacts)
    assert (facts.notice, facts.version, facts.title) == ("new", 2, "Copilot in Excel and Word")
    assert await sandbox.posts() == []


async def test_an_unreadable_announcement_is_dead_lettered_without_its_words(
    js: JetStreamContext, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    running(notify_channels=channels_json(sandbox))
    body = story(CommunityChange.APPROVED).model_dump(mode="json")
    body["data"]["text"] = "confidential " * 60  # longer than a story may be
    await js.publish("community.story", json.dumps(body).encode(), headers={"Nats-Msg-Id": "bad"})
    dlq = await js.pull_subscribe("dlq.community", durable="dlq-community-reader", stream="DLQ")
    [dead] = await dlq.fetch(1, timeout=30)
    reason = (dead.headers or {})["Uptake-Reason"]
    assert reason == "unparseable: text: String should have at most 600 characters"
    assert "confidential" not in reason
    assert (dead.headers or {})["Uptake-Subject"] == "community.story"


async def test_a_story_goes_to_engage_only_when_its_author_asked(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await people(engine)
    channels = [
        Channel(
            name="company",
            type="teams",
            url=SecretStr(sandbox.webhook_for("company")),
            language="en",
        ),
        Channel(
            name="community", type="engage", group_id="1234567", topics=["Copilot"], language="en"
        ),
    ]
    async with httpx.AsyncClient() as http:
        engage = EngageSender(http, f"{sandbox.url}/engage/api/v1", SignedIn())
        senders: dict[str, Sender] = {"teams": TeamsSender(http, per_second=50), "engage": engage}
        h = Harness(engine, notify_settings(), channels, http, senders=senders)
        async with h.sessions() as session:
            await take_community(
                session,
                [story(CommunityChange.APPROVED, engage=True), tip("t-1", "Finance")],
                channels,
                timedelta(0),
                notify_settings().tz,
                h.clock(),
            )
            await session.commit()
        assert await h.dispatcher.tick() == 3
    posts = await sandbox.posts()
    [message] = [p for p in posts if p["target"] == "engage"]
    assert message["message"]["body"].startswith("⏱️ Copilot saved 45 minutes")
    assert STORY_TEXT in message["message"]["body"] and "Anna Peeters" in message["message"]["body"]
    assert sorted(p["channel"] for p in posts if p["target"] == "teams") == ["company", "company"]
