"""The screen, the employee page and the admin page work in a browser under their strict
Content-Security-Policy: everything they need loads, and the browser reports no violation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sandbox.testing import SandboxHandle
from services.scoring.rulebook import default_source
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import needs_chromium
from tests.integration.api.conftest import LiveServer, add_people, put_scores, team_of
from tests.integration.api.signin import sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.lineNumber}`));
"""


def expected(message: ConsoleMessage) -> bool:
    """A signed-out page asks who is signed in and hears 401: the browser logs it."""
    return "status of 401" in message.text and message.location["url"].endswith("/auth/session")


async def watched(browser: Browser) -> tuple[Page, list[str]]:
    """A page that records policy violations and console errors."""
    page = await browser.new_page(viewport={"width": 1600, "height": 900})
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location['url']}")
            if (m.type == "error" or "Content Security Policy" in m.text) and not expected(m)
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


async def violations(page: Page) -> list[Any]:
    found: list[Any] = await page.evaluate("window.__violations")
    return found


async def visit(page: Page, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.ok
    policy = await response.header_value("content-security-policy")
    assert policy is not None and "script-src 'self'" in policy, url


async def test_pages_work_under_their_policy_without_a_violation(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    me = sandbox_person(sandbox, "Admin").pseudonym(signin_settings)
    await add_people(
        engine,
        [
            *team_of("Finance Gent", 6, department="Finance"),
            Person(person=me, display_name="Eva Claes", team="Finance Gent", opted_in=True),
        ],
    )
    day = today(signin_settings.tz)
    await put_scores(
        redis, Scope.TEAMS, Window.MONTH, period_key(Window.MONTH, day), {"Finance Gent": 12.5}
    )
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, period_key(Window.WEEK, day), {me: 40})
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        published = await http.post(
            "/api/admin/rules",
            json={"source": default_source()},
            headers={"Authorization": f"Bearer {sandbox.user_token(roles=['Admin'])}"},
        )
        assert published.status_code == 201

    page, problems = await watched(browser)
    await visit(page, f"{signin_server.url}/screen?lang=en&window=month")
    await page.locator("#live[data-state=open]").wait_for()
    await page.locator("ol.board[data-scope=teams] li.row").first.wait_for()
    assert await page.locator("ol.board li.row .fill").count() > 0  # bars sized from script
    assert await violations(page) == []

    await visit(page, f"{signin_server.url}/me?lang=fr")
    await page.locator("#signin:not([hidden]) a.button").wait_for()  # signed out: the button
    assert await violations(page) == []
    await page.locator("#signin a.button").click()
    await page.locator("form.people button[name=person]").first.wait_for()  # the picker
    assert await violations(page) == []  # the tenant's page keeps to its own policy
    await page.locator("form.people button[name=person]").first.click()
    await page.wait_for_url(f"{signin_server.url}/me?lang=fr")
    await page.locator("#content:not([hidden])").wait_for()
    await page.locator("#neighbours tr.me").wait_for()
    color = await page.locator("header .languages a[aria-current]").evaluate(
        "a => getComputedStyle(a).color"
    )
    assert color == "rgb(255, 210, 63)"  # the stylesheet, not an inline style, colours it
    assert await violations(page) == []

    await visit(page, f"{signin_server.url}/admin?lang=en")
    await page.locator("#content:not([hidden])").wait_for()
    await page.click("#validate")
    await page.locator("#result .ok").wait_for()
    await page.click("#preview")
    await page.locator("#result table, #result .ok, #result p").first.wait_for()
    assert await violations(page) == []
    assert problems == []
