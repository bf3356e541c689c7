"""A newsletter issue -> COMMUNITY -> notify's durable consumer -> outbox -> the sandbox's
Teams Workflows webhooks and Viva Engage: one card per company channel, in the channel's
language, however often the announcement is delivered; Engage only when asked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify import bootstrap
from services.notify.channels import Channel
from services.notify.community_intake import take_community
from services.notify.dispatcher import Sender
from services.notify.engage import EngageSender
from services.notify.models import OutboxEntry, Status
from services.notify.teams import TeamsSender
from shared.bus import publish
from shared.database import session_factory
from shared.events import CloudEvent, NewsletterPublished, NewsletterSection, NewsletterText
from shared.settings import NotifySettings
from tests.integration.notify.conftest import Sandbox, eventually
from tests.integration.notify.harness import Harness
from tests.integration.notify.test_engage import SignedIn

SINCE = date(2026, 11, 23)


def text(lang: str) -> NewsletterText:
    titles = {"nl": "Copilot-nieuwsbrief: week 48", "en": "Copilot newsletter: week 48"}
    return NewsletterText(
        title=titles.get(lang, f"Lettre Copilot\u00a0: semaine 48 ({lang})"),
        intro=f"intro-{lang}",
        sections=[
            NewsletterSection(kind="stories", heading=f"stories-{lang}", items=[f"story-{lang}"]),
            NewsletterSection(kind="tip", heading=f"tip-{lang}", items=[f"prompt-{lang}"]),
        ],
    )


def issue(post_to_engage: bool = False, newsletter: str = "n-48") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        NewsletterPublished(
            newsletter=newsletter,
            cadence="weekly",
            since=SINCE,
            until=SINCE + timedelta(days=6),
            texts={lang: text(lang) for lang in ("nl", "en", "fr")},
            post_to_engage=post_to_engage,
        ),
        source="uptake/api",
    )


def channels_json(sandbox: Sandbox) -> str:
    return json.dumps(
        [
            {
                "name": "company-nl",
                "type": "teams",
                "url": sandbox.webhook_for("company-nl"),
                "language": "nl",
            },
            {
                "name": "company-fr",
                "type": "teams",
                "url": sandbox.webhook_for("company-fr"),
                "language": "fr",
                "kinds": ["badge"],  # an issue goes to the company's channels all the same
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


async def outbox(engine: AsyncEngine) -> list[OutboxEntry]:
    async with session_factory(engine)() as session:
        return list((await session.exec(select(OutboxEntry).order_by(OutboxEntry.id))).all())  # type: ignore[arg-type]


async def acked(js: JetStreamContext, published: int) -> bool:
    try:
        info = await js.consumer_info("COMMUNITY", "notify-community")
    except Exception:
        return False
    floor = int(info.ack_floor.stream_seq or 0) if info.ack_floor else 0
    return floor >= published and info.num_ack_pending == 0


async def test_an_issue_is_one_card_per_company_channel_however_often_it_comes(
    js: JetStreamContext, engine: AsyncEngine, sandbox: Sandbox, running: Callable[..., Any]
) -> None:
    running(notify_channels=channels_json(sandbox))
    message = issue()
    await publish(js, message)
    await publish(js, message)  # the same message id: JetStream drops it
    for n in range(2):  # redelivered under other message ids: notify must not post again
        headers = {"Nats-Msg-Id": f"again-{n}-{message.id}"}
        await js.publish("community.newsletter", message.to_bytes(), headers=headers)
    await eventually(lambda: acked(js, 3))

    async def all_sent() -> bool:
        rows = await outbox(engine)
        return len(rows) == 2 and {row.status for row in rows} == {Status.SENT}

    await eventually(all_sent)
    posts = await sandbox.posts()
    assert sorted(p["channel"] for p in posts) == ["company-fr", "company-nl"]
    cards = {p["channel"]: json.dumps(p["card"], ensure_ascii=False) for p in posts}
    assert (
        "Copilot-nieuwsbrief: week 48" in cards["company-nl"] and "story-nl" in cards["company-nl"]
    )
    assert (
        "Lettre Copilot\u00a0: semaine 48" in cards["company-fr"]
        and "story-fr" in cards["company-fr"]
    )
    assert all('"version": "1.5"' in card for card in cards.values())
    await asyncio.sleep(1.0)  # a few more dispatch rounds: still nothing more
    assert len(await sandbox.posts()) == 2


async def test_engage_gets_the_issue_only_when_asked_and_once(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    channels = [
        Channel(
            name="company",
            type="teams",
            url=SecretStr(sandbox.webhook_for("company")),
            language="en",
        ),
        Channel(
            name="community", type="engage", group_id="1234567", topics=["Copilot"], language="fr"
        ),
    ]
    async with httpx.AsyncClient() as http:
        engage = EngageSender(http, f"{sandbox.url}/engage/api/v1", SignedIn())
        senders: dict[str, Sender] = {"teams": TeamsSender(http, per_second=50), "engage": engage}
        h = Harness(engine, notify_settings(), channels, http, senders=senders)
        for events in ([issue(True), issue(False, "n-49")], [issue(True)]):  # the first again
            async with h.sessions() as session:
                await take_community(
                    session, events, channels, timedelta(0), notify_settings().tz, h.clock()
                )
                await session.commit()
        assert await h.dispatcher.tick() == 3
        assert await h.dispatcher.tick() == 0
    posts = await sandbox.posts()
    [message] = [p for p in posts if p["target"] == "engage"]
    body = message["message"]["body"]
    assert body.splitlines()[:3] == [
        "Lettre Copilot\u00a0: semaine 48 (fr)",
        "intro-fr",
        "🌟 stories-fr",
    ]
    assert "• story-fr" in body and "{" not in body
    assert [p["channel"] for p in posts if p["target"] == "teams"] == ["company", "company"]
