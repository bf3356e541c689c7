"""The newsletter page in Chromium, signed in through the sandbox tenant as an admin: the
last week's issue previewed (the email in its sandboxed frame, the Teams card, the Engage
post), switched to French, sent with Engage, listed as sent. Screenshots at 1920x1080,
and not one Content-Security-Policy violation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.stories import Story
from services.api.newsletter import periods
from services.api.resources import Resources
from services.sandbox.testing import SandboxHandle
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people, put_scores
from tests.integration.api.signin import sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
STORIES = [
    ("Copilot turned our tender notes into a first draft in twenty minutes.", "word", 90, True),
    (
        "I asked Copilot for the open actions of a long Teams thread after my leave.",
        "teams",
        30,
        False,
    ),
    ("The monthly variance table now comes with an explanation Copilot drafts.", "excel", 45, True),
]


async def world(
    sandbox: SandboxHandle, engine: AsyncEngine, redis: Redis, settings: ApiSettings
) -> periods.Period:
    """The sandbox's people in the directory; last week's stories, badges and team board."""
    raw = [p for p in sandbox.people(limit=500) if p["present"]]
    found = [sandbox_person(sandbox, p["userPrincipalName"]) for p in raw]
    await add_people(
        engine,
        [
            Person(
                person=p.pseudonym(settings),
                display_name=p.name,
                department=p.department,
                team=r["team"],
                opted_in=True,
            )
            for p, r in zip(found, raw, strict=True)
        ],
    )
    period = periods.last_complete("weekly", today(settings.tz))
    authors = [p for p in found if not p.roles][: len(STORIES)]
    async with AsyncSession(engine) as session:
        for n, ((words, app, minutes, named), author) in enumerate(
            zip(STORIES, authors, strict=True)
        ):
            day = period.since + timedelta(days=n)
            session.add(
                Story(
                    id=str(uuid.uuid4()),
                    author=author.pseudonym(settings),
                    department=author.department,
                    app=app,
                    minutes_saved=minutes,
                    text=words,
                    named=named,
                    status="approved",
                    approved_at=datetime.combine(day, time(10), UTC),
                    approved_on=day,
                )
            )
        await session.commit()
    rules = {
        "badges": [
            {
                "type": "explorer",
                "id": "explorer",
                "apps": 3,
                "title": {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"},
            },
            {
                "type": "streak",
                "id": "streak-5",
                "days": 5,
                "title": {"nl": "Vijf op een rij", "en": "Five in a row", "fr": "Cinq d'affilée"},
            },
        ]
    }
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO scoring_ruleset (version, name, body, source, created_at,"
                " published_at) VALUES (1, 'rules', :b, '', :at, :at)"
            ),
            {"b": json.dumps(rules), "at": datetime.now(UTC)},
        )
        for n, person in enumerate(found[:14]):
            for badge in ("explorer", "streak-5")[: 1 + n % 2]:
                await conn.execute(
                    text(
                        "INSERT INTO scoring_ledger (person, key, kind, rule, ruleset_version,"
                        " day, at, points, ref, title, created_at) VALUES (:p, :k, 'badge', :r,"
                        " 1, :d, :at, 0, :r, :r, :at)"
                    ),
                    {
                        "p": person.pseudonym(settings),
                        "k": f"badge|{badge}",
                        "r": badge,
                        "d": period.since + timedelta(days=2),
                        "at": datetime.combine(period.since, time(12), UTC),
                    },
                )
    teams = sorted({r["team"] for r in raw if r["team"]})
    scores = {team: round(42.0 / (1 + n / 3), 1) for n, team in enumerate(teams)}
    await put_scores(redis, Scope.TEAMS, Window.WEEK, period.key, scores)
    return period


async def violations(page: Page) -> list[Any]:
    found: list[Any] = await page.evaluate("window.__violations")
    return found


async def test_an_admin_previews_and_sends_the_newsletter(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
    redis: Redis,
) -> None:
    period = await world(sandbox, engine, redis, signin_settings)
    resources: Resources = signin_server.app.state.resources
    resources.published.invalidate()
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await sign_in(page, signin_server.url, "Admin", next_path="/admin/newsletter?lang=en")
    await page.wait_for_selector("body[data-ready=true]")

    assert await page.locator("#period").input_value() == period.key
    await page.locator("#card p", has_text="Copilot newsletter: week").first.wait_for()
    frame = page.frame_locator("#email")
    await frame.locator("td", has_text="Successes").first.wait_for()
    assert await frame.get_by_text("tender notes").count() == 1
    engage = await page.locator("#engage").inner_text()
    assert engage.startswith("Copilot newsletter: week") and "• " in engage
    assert await page.locator("#email").get_attribute("sandbox") == ""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "newsletter-1-preview.png"))

    await page.locator(".nw-tab[data-lang=fr]").click()
    await page.locator("#card p", has_text="Lettre Copilot").first.wait_for()
    await frame.locator("td", has_text="Réussites").first.wait_for()
    download = await page.locator("#download").get_attribute("href")
    assert download is not None and "lang=fr" in download and "download=true" in download

    await page.locator("#post-engage").check()
    await page.locator("#send-button").click()
    await page.locator("#send-result", has_text="Sent").wait_for()
    await page.locator("#issues li", has_text=period.key).wait_for()
    assert "with Viva Engage" in await page.locator("#issues li").first.inner_text()
    await page.locator("#sent-before").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "newsletter-2-sent-fr.png"))
    await page.screenshot(path=str(SCREENSHOTS / "newsletter-3-whole-page.png"), full_page=True)
    assert await violations(page) == []
    assert problems == []
    await context.close()


async def test_an_employee_sees_that_the_page_is_for_admins(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    browser: Browser,
) -> None:
    person = next(p for p in sandbox.people(limit=50) if p["present"] and not p.get("roles"))
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await sign_in(
        page, signin_server.url, person["displayName"], next_path="/admin/newsletter?lang=nl"
    )
    await page.wait_for_selector("body[data-ready=true]")
    assert await page.locator("#not-admin").is_visible()
    assert await page.locator("#preview").is_hidden()
    await context.close()
