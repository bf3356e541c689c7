"""Shout-outs mention a team only when it has at least the minimum group size: a card about
someone in a team of two says "a colleague", and a digest leaves the team out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.channels import Channel
from shared.events import ChallengeCompleted, CloudEvent, LevelReached
from shared.people import Person
from shared.settings import NotifySettings
from tests.integration.notify.awards import add_people, badge
from tests.integration.notify.conftest import Sandbox
from tests.integration.notify.harness import Harness

Scope = Literal["person", "team", "department"]


def people(team: str, department: str, size: int) -> list[Person]:
    slug = team.lower().replace(" ", "-")
    return [Person(person=f"p-{slug}-{i}", team=team, department=department) for i in range(size)]


def level(person: str, team: str, department: str) -> CloudEvent[Any]:
    payload = LevelReached(
        person=person,
        rule="level.3",
        ruleset_version=1,
        activity_date=badge(person, "x").data.activity_date,
        team=team,
        department=department,
        ledger_key=f"level:{person}",
        title="Navigator",
        level=3,
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")


def challenge(
    person: str, scope: Scope, winner: str, team: str, department: str
) -> CloudEvent[Any]:
    payload = ChallengeCompleted(
        person=person,
        rule="challenge.december",
        ruleset_version=1,
        activity_date=badge(person, "x").data.activity_date,
        team=team,
        department=department,
        ledger_key=f"challenge:{scope}:{winner}",
        title="December sprint",
        challenge="december",
        scope=scope,
        winner=winner,
        rank=1,
        value=12.5,
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")


def card_text(post: dict[str, Any]) -> str:
    return json.dumps(post["card"], ensure_ascii=False)


async def test_cards_name_a_team_only_when_it_is_big_enough(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await add_people(engine, *people("Finance Ops", "Finance", 6), *people("Legal", "Legal", 2))
    office = Channel(name="office", type="teams", url=sandbox.webhook, language="en")
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office], http)
        await h.take(
            [
                badge("p-legal-0", "Explorer", team="Legal", department="Legal"),
                badge("p-finance-ops-0", "Explorer", team="Finance Ops"),
                level("p-legal-1", "Legal", "Legal"),
                challenge("p-legal-0", "person", "p-legal-0", "Legal", "Legal"),
                challenge("Legal", "team", "Legal", "Legal", "Legal"),
                challenge("Legal", "department", "Legal", "Legal", "Legal"),
            ]
        )
        h.clock.advance(seconds=5)
        assert await h.dispatcher.tick() == 6
    texts = [card_text(post) for post in await sandbox.posts()]
    about_legal = [t for t in texts if "Finance" not in t]
    assert len(about_legal) == 5
    assert all("Legal" not in text for text in about_legal), about_legal
    assert any("Someone in Finance Ops earned" in text for text in texts)
    assert sum("A colleague earned" in t or "A colleague reached" in t for t in texts) == 2
    assert sum("A colleague finished #1" in text for text in texts) == 1
    assert sum("A team finished #1" in t or "A department finished #1" in t for t in texts) == 2


async def test_a_digest_counts_small_teams_without_naming_them(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await add_people(engine, *people("Finance Ops", "Finance", 6), *people("Legal", "Legal", 2))
    office = Channel(name="office", type="teams", url=sandbox.webhook, language="en")
    awards = [badge(f"p-finance-ops-{i}", f"Badge {i}", team="Finance Ops") for i in range(3)]
    awards += [badge(f"p-legal-{i}", f"Badge {i}", team="Legal") for i in range(2)]
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(notify_burst_threshold=2), [office], http)
        await h.take(awards)
        h.clock.advance(seconds=5)
        await h.dispatcher.tick()  # opens the digest
        h.clock.advance(minutes=10)
        assert await h.dispatcher.tick() == 1
    [post] = await sandbox.posts()
    text = card_text(post)
    assert "5 new awards" in text and "Finance Ops" in text
    assert "Legal" not in text
