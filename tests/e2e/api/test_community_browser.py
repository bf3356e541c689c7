"""The community page in Chromium, signed in through the sandbox tenant: a colleague gives
kudos and shares a story, a champion of their department approves it, it is on the office
screen's stories; the receiver reads and hides the kudos. Screenshots at 1920x1080."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.tables import Champion
from services.sandbox.testing import SandboxHandle
from shared.people import Person
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people
from tests.integration.api.signin import SandboxPerson, sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


async def directory(
    sandbox: SandboxHandle, engine: AsyncEngine, settings: ApiSettings
) -> list[SandboxPerson]:
    """The sandbox's people in the gateway's directory, as ingest would put them; those
    without roles, grouped by department."""
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
    return sorted((p for p in found if not p.roles), key=lambda p: p.department)


async def signed_in(browser: Browser, url: str, who: str) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await sign_in(page, url, who, next_path="/community?lang=en")
    await page.wait_for_selector("body[data-ready=true]")
    return page, problems


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"community-{name}.png"), full_page=False)


async def violations(page: Page) -> list[Any]:
    found: list[Any] = await page.evaluate("window.__violations")
    return found


async def test_kudos_a_story_approved_by_a_champion_and_on_the_screen(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    people = await directory(sandbox, engine, signin_settings)
    department = next(
        d for d in {p.department for p in people} if sum(p.department == d for p in people) >= 3
    )
    author, champion = [p for p in people if p.department == department][:2]
    receiver = next(p for p in people if p.department != department)
    async with AsyncSession(engine) as session:
        session.add(
            Champion(
                person=champion.pseudonym(signin_settings),
                status="approved",
                departments=[department],
                apps=["teams"],
                application="e2e",
            )
        )
        await session.commit()
    url = signin_server.url

    # A colleague finds someone by name and thanks them.
    page, problems = await signed_in(browser, url, author.name)
    await page.locator("#kudos-left", has_text="5 of 5 left this month").wait_for()
    await page.locator("#kudos-search").fill(receiver.name[:4])
    await page.locator("#kudos-matches button", has_text=receiver.name).click()
    await page.locator("label.chip", has_text="Creative").click()
    await page.locator("#kudos-message").fill("Your Excel prompt saved my Monday report!")
    await page.locator("#kudos-give").click()
    await page.locator("#kudos-result", has_text=f"Kudos given to {receiver.name}.").wait_for()
    await page.locator("#kudos-left", has_text="4 of 5 left this month").wait_for()
    await page.locator("#kudos-given li", has_text="Your Excel prompt").wait_for()
    await page.evaluate("window.scrollTo(0, 0)")
    await shot(page, "1-kudos-given")

    # ...and shares a story about a use case from the library.
    await page.locator("#story-app").select_option("teams")
    await page.locator("#story-use-case").select_option("teams-meeting-recap")
    await page.locator("#story-minutes").fill("45")
    await page.locator("#story-text").fill(
        "Copilot wrote the recap of our project meeting with every action item; I sent it"
        " ten minutes after the call."
    )
    await page.locator("#story-named").check()
    await page.locator("#story-send").click()
    await page.locator("#story-result", has_text="Your story awaits approval.").wait_for()
    await page.locator("#my-stories li", has_text="awaiting approval").wait_for()
    assert await page.locator("#queue").is_hidden()
    await page.locator("#story").scroll_into_view_if_needed()
    await shot(page, "2-story-sent")

    # A champion of the department approves it.
    review, review_problems = await signed_in(browser, url, champion.name)
    waiting = review.locator("#queue-items li", has_text="recap of our project meeting")
    await waiting.wait_for()
    assert author.name in await waiting.inner_text()
    await review.evaluate("window.scrollTo(0, 0)")
    await shot(review, "3-champion-queue")
    await waiting.get_by_role("button", name="Approve").click()
    await review.locator("#queue-items", has_text="No stories waiting.").wait_for()
    await review.locator("#latest-stories li", has_text="recap of our project meeting").wait_for()

    # The office screen's stories have it, with the author's name (they chose it).
    async with httpx.AsyncClient(base_url=url) as client:
        screen = (await client.get("/api/screen/stories?lang=en")).json()
    assert [(s["author"], s["minutes_saved"], s["use_case"]) for s in screen["stories"]] == [
        (author.name, 45, "teams-meeting-recap")
    ]

    # The receiver reads the kudos and hides its message; the library shows what to try.
    thanked, thanked_problems = await signed_in(browser, url, receiver.name)
    received = thanked.locator("#kudos-received li", has_text="Your Excel prompt")
    await received.wait_for()
    assert author.name in await received.inner_text()
    await received.get_by_role("button", name="Hide").click()
    await thanked.locator("#kudos-received li", has_text="(hidden)").wait_for()
    await thanked.evaluate("window.scrollTo(0, 0)")
    await shot(thanked, "4-kudos-received")
    tried = thanked.locator("#library-items li", has_text="Write Excel formulas")
    await tried.get_by_role("button", name="I tried this").click()
    await tried.get_by_text("waiting for your usage").wait_for()
    assert await tried.get_by_role("button", name="I tried this").count() == 0
    await thanked.locator("#library").scroll_into_view_if_needed()
    await thanked.evaluate("document.getElementById('library').scrollIntoView()")
    await shot(thanked, "5-library")
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    await page.locator("#kudos-given li", has_text="message hidden by the receiver").wait_for()
    await page.locator("#my-stories li", has_text="approved").wait_for()

    for p in (page, review, thanked):
        assert await violations(p) == []
    assert problems == review_problems == thanked_problems == []


async def test_the_page_speaks_every_language(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    people = await directory(sandbox, engine, signin_settings)
    page, problems = await signed_in(browser, signin_server.url, people[0].name)
    for lang, heading in (("nl", "Geef kudos"), ("fr", "Envoyer des kudos")):
        await page.goto(f"{signin_server.url}/community?lang={lang}")
        await page.wait_for_selector("body[data-ready=true]")
        assert await page.locator("#kudos-title").inner_text() == heading
        await shot(page, f"6-{lang}")
    assert await violations(page) == [] and problems == []
