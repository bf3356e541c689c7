"""Signing in to /me in Chromium: "Sign in with Microsoft", the sandbox tenant's picker, back on
/me with the person's own data and an HttpOnly cookie scripts cannot read, then signing out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sandbox.testing import SandboxHandle
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people, put_scores, team_of
from tests.integration.api.signin import sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


async def full_hd(browser: Browser) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, problems


async def violations(page: Page) -> list[Any]:
    found: list[Any] = await page.evaluate("window.__violations")
    return found


async def seed(
    engine: AsyncEngine, redis: Redis, settings: ApiSettings, me: str, name: str
) -> None:
    await add_people(
        engine,
        [
            *team_of("Finance Gent", 6, department="Finance"),
            Person(person=me, display_name=name, team="Finance Gent", opted_in=True),
        ],
    )
    week = period_key(Window.WEEK, today(settings.tz))
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, {me: 40, "p-finance gent-1": 55})


async def test_an_employee_signs_in_with_microsoft_sees_their_page_and_signs_out(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
    redis: Redis,
) -> None:
    person = sandbox_person(sandbox, "Admin")
    await seed(engine, redis, signin_settings, person.pseudonym(signin_settings), person.name)
    page, problems = await full_hd(browser)

    await page.goto(f"{signin_server.url}/me?lang=en")
    button = page.get_by_role("link", name="Sign in with Microsoft")
    await button.wait_for()
    assert await page.locator("#content").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "me-signed-out-1920x1080.png"))
    await button.click()

    await page.locator("form.people button[name=person]").first.wait_for()
    assert page.url.startswith(f"{sandbox.browser_url}/{sandbox.tenant_id}/oauth2/v2.0/authorize")
    assert await violations(page) == []
    await page.screenshot(path=str(SCREENSHOTS / "signin-picker-1920x1080.png"))
    await page.get_by_role("button", name=f"Sign in as {person.name}").click()

    await page.wait_for_url(f"{signin_server.url}/me?lang=en")
    await page.locator("#content:not([hidden])").wait_for()
    await page.locator("#neighbours tr.me").wait_for()
    assert await page.locator("#account-name").text_content() == person.name
    assert "Eva" not in (await page.locator("#neighbours").text_content() or "")
    assert await violations(page) == []
    cookies = {c["name"]: c for c in await page.context.cookies(signin_server.url)}
    session = cookies["__Host-uptake_session"]
    assert (session["httpOnly"], session["secure"], session["sameSite"]) == (True, True, "Lax")
    assert "__Host-uptake_signin" not in cookies  # the flow's cookie is gone
    assert "uptake_session" not in await page.evaluate("document.cookie")
    whoami = await page.evaluate("window.Session.whoami")
    assert whoami["person"] == person.pseudonym(signin_settings)
    assert whoami["roles"] == ["Admin", "Insights.Read"]
    await page.screenshot(path=str(SCREENSHOTS / "me-signed-in-1920x1080.png"))

    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("link", name="Sign in with Microsoft").wait_for()
    assert await page.locator("#content").is_hidden()
    assert "__Host-uptake_session" not in {
        c["name"] for c in await page.context.cookies(signin_server.url)
    }
    answer = await page.request.get(f"{signin_server.url}/auth/session")
    assert answer.status == 401
    assert problems == []


async def test_a_sign_in_that_does_not_complete_says_so_and_offers_another_try(
    sandbox: SandboxHandle, signin_server: LiveServer, browser: Browser
) -> None:
    page, problems = await full_hd(browser)
    await page.goto(f"{signin_server.url}/auth/callback?error=access_denied&state=x")
    again = page.get_by_role("link", name="Opnieuw aanmelden")
    await again.wait_for()
    assert await violations(page) == []
    await page.screenshot(path=str(SCREENSHOTS / "signin-failed-1920x1080.png"))
    await again.click()
    await page.locator("form.people button[name=person]").first.wait_for()
    assert problems == []


async def test_the_sign_in_helper_walks_the_picker_by_role_name_and_user_name(
    sandbox: SandboxHandle, signin_server: LiveServer, browser: Browser
) -> None:
    for who in ("Admin", sandbox_person(sandbox, "Insights.Read").name):
        context = await browser.new_context()
        page = await context.new_page()
        await sign_in(page, signin_server.url, who, next_path="/admin?lang=nl")
        whoami = await page.evaluate("window.Session.ready")
        assert "Insights.Read" in whoami["roles"]
        await context.close()
    someone = next(p for p in sandbox.people() if p["present"] and not p["roles"])
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, signin_server.url, someone["userPrincipalName"])
    whoami = await page.evaluate("window.Session.ready")
    assert (whoami["name"], whoami["roles"]) == (someone["displayName"], [])
    await context.close()
