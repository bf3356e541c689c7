"""The newsletter over HTTP and SQL: the content of a real period (stories approved in it,
the team board of the same week, badges from the ledger, a tip from the library), who
may see and send it, the email file, and sending: one row and one announcement per
issue, retries answered with the same issue, a second send of a period only on purpose."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from services.api.newsletter import periods
from services.api.newsletter.issues import NewsletterIssue
from services.api.resources import Resources
from shared import suppression
from shared.events import NewsletterPublished
from shared.leaderboards import Scope
from shared.periods import Window, today
from tests.integration.api.community_world import (  # noqa: F401
    Actor,
    Community,
    Heard,
    community,
    heard,
    new_id,
)
from tests.integration.api.conftest import put_scores

pytestmark = pytest.mark.asyncio

BASE = "/api/admin/newsletter"
APPS_USED = ("teams", "word", "excel", "outlook", "powerpoint", "loop", "chat")


class World:
    def __init__(self, community: Community, people: dict[str, Actor], period: periods.Period):  # noqa: F811
        self.community = community
        self.people = people
        self.period = period

    @property
    def admin(self) -> dict[str, str]:
        return self.people["admin"].headers

    async def get(self, url: str, who: dict[str, str] | None = None) -> Any:
        return await self.community.client.get(url, headers=self.admin if who is None else who)

    async def send(self, **fields: Any) -> Any:
        body = {"id": new_id(), "cadence": "weekly", "period": self.period.key} | fields
        return await self.community.client.post(f"{BASE}/issues", json=body, headers=self.admin)


async def approved_story(
    community: Community,  # noqa: F811
    author: Actor,
    admin: Actor,
    approved_on: date,
    *,
    named: bool,
    minutes: int,
    words: str,
) -> str:
    story_id = new_id()
    body = {"id": story_id, "app": "word", "minutes_saved": minutes, "text": words, "named": named}
    assert (
        await community.client.post("/api/stories", json=body, headers=author.headers)
    ).status_code == 201
    decided = await community.client.post(
        f"/api/stories/{story_id}/decision", json={"decision": "approve"}, headers=admin.headers
    )
    assert decided.status_code == 200
    async with community.engine.begin() as conn:  # approved on a day of the period
        await conn.execute(
            text("UPDATE api_story SET approved_on = :d WHERE id = :i"),
            {"d": approved_on, "i": story_id},
        )
    return story_id


async def badge(community: Community, person: str, badge_id: str, day: date) -> None:  # noqa: F811
    async with community.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO scoring_ledger (person, key, kind, rule, ruleset_version, day, at,"
                " points, ref, title, created_at) VALUES (:p, :k, 'badge', :r, 1, :d, :at, 0,"
                " :r, :r, :at)"
            ),
            {
                "p": person,
                "k": f"badge|{badge_id}|{uuid.uuid4().hex}",
                "r": badge_id,
                "d": day,
                "at": datetime.combine(day, time(12), UTC),
            },
        )


async def publish_rules(community: Community) -> None:  # noqa: F811
    body = {
        "badges": [
            {
                "type": "explorer",
                "id": "explorer",
                "title": {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"},
                "apps": 3,
            }
        ]
    }
    async with community.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO scoring_ruleset (version, name, body, source, created_at,"
                " published_at) VALUES (1, 'rules', :b, '', :at, :at)"
            ),
            {"b": json.dumps(body), "at": datetime.now(UTC)},
        )
    resources: Resources = community.app.state.resources
    resources.published.invalidate()


@pytest.fixture
async def world(community: Community, redis: Redis) -> World:  # noqa: F811
    await community.colleagues("Sales", 6)  # "Sales team": big enough to be shown
    people = {
        "author": await community.person("Ann Author", "Sales", opted_in=True),
        "quiet": await community.person("Quinn Quiet", "Sales"),
        "admin": await community.person("Ada Admin", "Legal", roles=["Admin"]),
        "employee": await community.person("Emma Employee", "Sales"),
    }
    period = periods.last_complete("weekly", today(community.settings.tz))
    monday = period.since
    await approved_story(
        community,
        people["author"],
        people["admin"],
        monday,
        named=True,
        minutes=90,
        words="Copilot drafted the tender in an hour",
    )
    await approved_story(
        community,
        people["quiet"],
        people["admin"],
        monday + timedelta(days=2),
        named=False,
        minutes=20,
        words="Summarised a long thread",
    )
    await approved_story(  # the week before: not in this issue
        community,
        people["author"],
        people["admin"],
        monday - timedelta(days=1),
        named=True,
        minutes=400,
        words="An older success",
    )
    await publish_rules(community)
    for who in ("author", "quiet", "employee"):
        await badge(community, people[who].person, "explorer", monday + timedelta(days=1))
    await badge(community, people["author"].person, "streak-5", monday + timedelta(days=3))
    await badge(community, people["quiet"].person, "explorer", monday - timedelta(days=2))
    for app in APPS_USED:  # everything but OneNote is used: the tip is about OneNote
        await community.used(people["employee"], app, monday)
    await put_scores(
        redis, Scope.TEAMS, Window.WEEK, period.key, {"Sales team": 12.5, "Legal team": 30.0}
    )
    return World(community, people, period)


async def test_the_preview_tells_the_period_in_three_languages(world: World) -> None:
    answer = await world.get(f"{BASE}/preview?cadence=weekly")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["period"], body["since"]) == (world.period.key, world.period.since.isoformat())
    assert set(body["languages"]) == {"nl", "en", "fr"} and body["sent"] == []
    en = body["languages"]["en"]
    stories, teams, badges, tip = en["text"]["sections"]
    assert stories["items"] == [
        "“Copilot drafted the tender in an hour” — Ann Author, with Copilot in Word: 90 min saved",
        "“Summarised a long thread” — A colleague in Sales, with Copilot in Word: 20 min saved",
    ]
    # Legal has one member: its team is left out, and counted.
    assert teams["items"] == [
        "1. Sales team: 12.5 points per member (9 members)",
        "1 teams with fewer than 5 members are not shown.",
    ]
    assert badges["items"] == ["Explorer: 3 colleagues", "streak-5: 1 colleague"]
    assert tip["heading"].startswith("Tip of the week: ") and "OneNote" in tip["heading"]
    assert "2 approved stories, 3 colleagues with a new badge" in en["text"]["intro"]
    assert body["languages"]["nl"]["text"]["sections"][2]["items"][0] == "Ontdekker: 3 collega's"
    assert (
        body["languages"]["fr"]["text"]["sections"][2]["items"][0]
        == "Explorateur\u00a0: 3 collègues"
    )
    assert en["card"]["version"] == "1.5" and en["card_bytes"] < 28 * 1024
    assert "Ann Author" in en["engage"] and "Legal team" not in json.dumps(body)


async def test_an_erased_author_is_never_named(world: World) -> None:
    async with world.community.engine.begin() as conn:
        await suppression.add(conn, world.people["author"].person, [world.people["author"].person])
    body = (await world.get(f"{BASE}/preview?cadence=weekly")).json()
    assert "Ann Author" not in json.dumps(body)
    first = body["languages"]["en"]["text"]["sections"][0]["items"][0]
    assert first.endswith("A colleague in Sales, with Copilot in Word: 90 min saved")


async def test_an_empty_month_says_so_in_every_section(world: World) -> None:
    answer = await world.get(f"{BASE}/preview?cadence=monthly&period=2025-01")
    assert answer.status_code == 200
    en = answer.json()["languages"]["en"]["text"]
    assert en["title"] == "Copilot newsletter: January 2025"
    assert [s["items"][0] for s in en["sections"][:3]] == [
        "No new stories this time. Share yours on the community page!",
        "No team scores for this period yet.",
        "No new badges this time.",
    ]


@pytest.mark.parametrize(
    "query",
    ["cadence=weekly&period=2026-13", "cadence=monthly&period=2026-W02", "cadence=daily"],
)
async def test_a_period_that_is_not_one_is_a_422(world: World, query: str) -> None:
    assert (await world.get(f"{BASE}/preview?{query}")).status_code == 422


async def test_a_running_period_cannot_be_previewed_or_sent(world: World) -> None:
    running = periods.week_of(today(world.community.settings.tz)).key
    answer = await world.get(f"{BASE}/preview?cadence=weekly&period={running}")
    assert answer.status_code == 422 and "not over yet" in answer.text
    assert (await world.send(period=running)).status_code == 422


async def test_the_email_is_a_file_under_its_own_policy(world: World) -> None:
    answer = await world.get(f"{BASE}/email?cadence=weekly&lang=fr")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert policy == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    assert "x-frame-options" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"
    assert "content-disposition" not in answer.headers
    assert '<html lang="fr"' in answer.text and "Ann Author" in answer.text
    assert "<script" not in answer.text and "<img" not in answer.text
    saved = await world.get(f"{BASE}/email?cadence=weekly&lang=nl&download=true")
    assert saved.headers["content-disposition"] == (
        f'attachment; filename="uptake-newsletter-{world.period.key}-nl.html"'
    )


ENDPOINTS = [
    ("GET", f"{BASE}/periods?cadence=weekly"),
    ("GET", f"{BASE}/preview"),
    ("GET", f"{BASE}/email"),
    ("GET", f"{BASE}/issues"),
    ("POST", f"{BASE}/issues"),
]


async def test_only_admins_preview_or_send(world: World) -> None:
    screen = await world.community.display_token()
    callers = {
        "anonymous": ({}, 401),
        "display token": ({"Authorization": f"Bearer {screen}"}, 403),
        "employee": (world.people["employee"].headers, 403),
    }
    for method, url in ENDPOINTS:
        body = {"id": new_id(), "cadence": "weekly"} if method == "POST" else None
        for who, (headers, expected) in callers.items():
            answer = await world.community.client.request(method, url, json=body, headers=headers)
            assert answer.status_code == expected, (who, method, url)
        admin = await world.community.client.request(method, url, json=body, headers=world.admin)
        assert admin.status_code == (201 if method == "POST" else 200), (method, url)
    async with world.community.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT COUNT(*) FROM newsletter_issue"))).scalar_one()
    assert rows == 1  # only the admin's


async def test_the_page_is_a_shell_that_may_frame_the_gateway(world: World) -> None:
    answer = await world.community.client.get("/admin/newsletter?lang=fr")
    assert answer.status_code == 200
    assert "frame-src 'self'" in answer.headers["content-security-policy"]
    assert 'sandbox=""' in answer.text and "Lettre d'information" in answer.text
    assert 'aria-current="page"' in answer.text  # the cockpit's nav


async def test_sending_announces_once_and_a_second_send_needs_confirming(
    world: World,
    heard: Heard,  # noqa: F811
) -> None:
    issue = new_id()
    first = await world.send(id=issue, post_to_engage=True)
    assert first.status_code == 201, first.text
    assert first.json()["sent_by"] == "Ada Admin" and first.json()["post_to_engage"] is True
    again = await world.send(id=issue, post_to_engage=True)  # a retry
    assert again.status_code == 200 and again.json() == first.json()
    other = await world.send(id=issue, post_to_engage=False)
    assert other.status_code == 409 and "another newsletter issue" in other.text
    twice = await world.send()
    assert twice.status_code == 409
    assert f"of {world.period.key} was sent already" in twice.json()["detail"]
    assert "resend=true" in twice.json()["detail"]
    second = await world.send(resend=True)
    assert second.status_code == 201

    [one, two] = await heard.events("community.newsletter", 2)
    assert isinstance(one, NewsletterPublished) and isinstance(two, NewsletterPublished)
    assert (one.newsletter, one.post_to_engage) == (issue, True)
    assert (two.newsletter, two.post_to_engage) == (second.json()["id"], False)
    assert (one.since, one.until, one.cadence) == (world.period.since, world.period.until, "weekly")
    assert set(one.texts) == {"nl", "en", "fr"}
    assert one.texts["en"].sections[0].items[0].startswith("“Copilot drafted the tender")
    # The named author travels as a person key, so an erasure finds and drops the issue;
    # the author who stayed unnamed does not.
    assert one.named == [world.people["author"].person]

    listed = (await world.get(f"{BASE}/issues")).json()
    assert [i["id"] for i in listed] == [second.json()["id"], issue]
    preview = (await world.get(f"{BASE}/preview?cadence=weekly")).json()
    assert len(preview["sent"]) == 2
    choices = (await world.get(f"{BASE}/periods?cadence=weekly")).json()
    assert choices[0] == {
        "key": world.period.key,
        "since": world.period.since.isoformat(),
        "until": world.period.until.isoformat(),
        "sent": True,
    }
    assert len(choices) == 12 and not any(c["sent"] for c in choices[1:])


async def test_a_send_that_fails_leaves_no_row_and_no_announcement(world: World) -> None:
    async with world.community.engine.begin() as conn:
        await conn.execute(text("DELETE FROM api_usecase_version"))
        await conn.execute(text("UPDATE api_usecase SET content = '{}'"))  # unreadable library
    with pytest.raises(Exception):  # noqa: B017 - the failure itself is not the point
        await world.send()
    async with world.community.engine.connect() as conn:
        issues = (await conn.execute(text("SELECT COUNT(*) FROM newsletter_issue"))).scalar_one()
        events = (
            await conn.execute(
                text("SELECT COUNT(*) FROM api_outbox WHERE subject = 'community.newsletter'")
            )
        ).scalar_one()
    assert (issues, events) == (0, 0)
    assert NewsletterIssue.__tablename__ == "newsletter_issue"


async def test_sends_at_once_make_one_issue(world: World, heard: Heard) -> None:  # noqa: F811
    issue = new_id()
    same = await asyncio.gather(*(world.send(id=issue) for _ in range(4)))
    assert sorted(answer.status_code for answer in same) == [200, 200, 200, 201]
    assert len({answer.json()["sent_at"] for answer in same}) == 1
    others = await asyncio.gather(*(world.send(cadence="monthly", period=None) for _ in range(4)))
    assert sorted(answer.status_code for answer in others) == [201, 409, 409, 409]
    events = await heard.events("community.newsletter", 2)
    assert sorted(e.cadence for e in events) == ["monthly", "weekly"]
