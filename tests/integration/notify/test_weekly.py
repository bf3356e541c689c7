"""The weekly review: top teams per member, climbers, new habits, and a champion spotlight."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.__main__ import command_line
from services.notify.admin import admin
from services.notify.channels import Channel
from shared.people import Person
from shared.settings import NotifySettings
from tests.integration.notify.awards import add_people, badge, points
from tests.integration.notify.conftest import Sandbox
from tests.integration.notify.harness import Harness

BRUSSELS = ZoneInfo("Europe/Brussels")
LAST_WEEK = date(2026, 11, 25)  # Wednesday of ISO week 48
WEEK_BEFORE = date(2026, 11, 18)


def team(name: str, size: int, opted_in: str | None = None) -> list[Person]:
    return [
        Person(
            person=f"{name}-{i}",
            display_name=f"{name} person {i}",
            team=name,
            opted_in=f"{name}-{i}" == opted_in,
        )
        for i in range(size)
    ]


async def test_monday_morning_brings_one_weekly_review_and_a_spotlight_on_an_opted_in_champion(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await add_people(
        engine, *team("Legal", 5, opted_in="Legal-1"), *team("Sales", 10), *team("Tiny", 2)
    )
    events = [
        points("Legal-0", 50, LAST_WEEK, team="Legal"),
        points("Legal-1", 40, LAST_WEEK, team="Legal"),  # 90 / 5 = 18 per member
        points("Sales-0", 100, LAST_WEEK, team="Sales"),  # 100 / 10 = 10 per member
        points("Sales-0", 20, WEEK_BEFORE, team="Sales"),  # climbed 10 - 2 = 8
        points("Tiny-0", 500, LAST_WEEK, team="Tiny"),  # too small a team to be shown
        badge(
            "Legal-1", "Habit: 12 of 28 days", team="Legal", badge_id="habit-12-28", day=LAST_WEEK
        ),
        badge(
            "Sales-3", "Habit: 12 of 28 days", team="Sales", badge_id="habit-12-28", day=LAST_WEEK
        ),
    ]
    channel = Channel.model_validate(
        {
            "name": "company",
            "type": "teams",
            "url": sandbox.webhook,
            "language": "en",
            "kinds": ["weekly", "spotlight"],
        }
    )
    async with httpx.AsyncClient() as http:
        sunday = datetime(2026, 11, 29, 20, 0, tzinfo=BRUSSELS)
        h = Harness(engine, notify_settings(), [channel], http, now=sunday)
        await h.take(events)
        assert await h.dispatcher.tick() == 0  # badges are not for this channel; no review yet
        h.clock.now = datetime(2026, 11, 30, 9, 5, tzinfo=BRUSSELS)
        assert await h.dispatcher.tick() == 2
        h.clock.advance(hours=2)
        assert await h.dispatcher.tick() == 0  # once a week, not once a tick
    review, spotlight = (p["card"] for p in await sandbox.posts())
    assert "2026-W48" in review["body"][0]["text"]
    facts = [
        [(f["title"], f["value"]) for f in b["facts"]]
        for b in review["body"]
        if b["type"] == "FactSet"
    ]
    assert facts[0] == [("Legal", "18.0"), ("Sales", "10.0")]  # Tiny (2 people) is hidden
    assert facts[1] == [("Legal", "+18.0"), ("Sales", "+8.0")]
    assert any("2 new habits" in b.get("text", "") for b in review["body"])
    assert "Legal person 1" in spotlight["body"][1]["text"]  # the only opted-in champion
    assert "Legal person 0" not in str(spotlight)


async def test_digest_command_queues_a_review_once_per_week_for_the_running_service(
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await add_people(engine, *team("Legal", 5))
    settings = notify_settings(notify_language="nl")
    async with httpx.AsyncClient() as http:
        h = Harness(engine, settings, [], http)
        await h.take([points("Legal-0", 30, LAST_WEEK, team="Legal")])

    async def digest(*argv: str) -> object:
        capsys.readouterr()
        await admin(settings, command_line().parse_args(argv))
        return json.loads(capsys.readouterr().out)

    assert await digest("digest", "--week", "2026-W48") == {"queued": ["teams:weekly:2026-W48"]}
    assert await digest("digest", "--week", "2026-W48") == {"queued": []}
    async with httpx.AsyncClient() as http:
        channel = Channel(name="teams", type="teams", url=SecretStr(sandbox.webhook))
        h = Harness(engine, settings, [channel], http)
        assert await h.dispatcher.tick() == 1
    [post] = await sandbox.posts()
    assert "Terugblik op week 2026-W48" in post["card"]["body"][0]["text"]


async def test_a_french_spotlight_lists_the_badges_in_french(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await add_people(engine, *team("Legal", 5, opted_in="Legal-1"))
    habit = {"nl": "Copilot-gewoonte", "en": "Copilot habit", "fr": "L'habitude Copilot"}
    events = [
        points("Legal-1", 40, LAST_WEEK, team="Legal"),
        badge("Legal-1", "Copilot-gewoonte", team="Legal", day=LAST_WEEK, titles=habit),
        badge("Legal-1", "Vroege vogel", team="Legal", badge_id="early", day=LAST_WEEK),
    ]
    channel = Channel.model_validate(
        {
            "name": "bruxelles",
            "type": "teams",
            "url": sandbox.webhook,
            "language": "fr",
            "kinds": ["weekly", "spotlight"],
        }
    )
    async with httpx.AsyncClient() as http:
        monday = datetime(2026, 11, 30, 9, 5, tzinfo=BRUSSELS)
        h = Harness(engine, notify_settings(), [channel], http, now=monday)
        await h.take(events)
        assert await h.dispatcher.tick() == 2
    review, spotlight = (p["card"] for p in await sandbox.posts())
    assert review["body"][0]["text"] == "📊 Bilan de la semaine 2026-W48"
    badges = [f["title"] for b in spotlight["body"] if b["type"] == "FactSet" for f in b["facts"]]
    # Translated where the rule set gave French; otherwise in the rule set's language.
    assert badges == ["L'habitude Copilot", "Vroege vogel"]
    assert "a terminé en tête de la semaine 2026-W48 avec 40 points" in str(spotlight)
