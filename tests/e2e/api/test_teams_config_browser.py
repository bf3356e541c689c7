"""The Teams channel tab's set-up page outside Teams, in headless Chromium: it explains itself,
lists the teams and departments big enough to show, previews the chosen one and links to its
board, which the screen then shows; the Teams library is not loaded outside Teams."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.leaderboards import Scope
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium
from tests.integration.api.conftest import LiveServer, add_people, put_scores, team_of

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


async def seed(engine: AsyncEngine, redis: Redis, settings: ApiSettings) -> None:
    await add_people(
        engine,
        [
            *team_of("Sales Gent", 7, department="Sales", opted=2),
            *team_of("Sales Brussel", 6, department="Sales"),
            *team_of("Finance Gent", 6, department="Finance"),
            *team_of("Tiny", 2, department="Finance"),  # too small to show anywhere
        ],
    )
    month = period_key(Window.MONTH, today(settings.tz))
    await put_scores(
        redis,
        Scope.TEAMS,
        Window.MONTH,
        month,
        {"Sales Gent": 31.4, "Sales Brussel": 12.0, "Finance Gent": 20.0},
    )
    await put_scores(redis, Scope.DEPARTMENTS, Window.MONTH, month, {"Sales": 22.2, "Finance": 9})
    people = {f"p-sales gent-{i}": 40.0 - 5 * i for i in range(5)}
    await put_scores(redis, Scope.PEOPLE, Window.MONTH, month, people)


async def watched(browser: Browser) -> tuple[Page, list[str], list[str]]:
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    requested: list[str] = []

    def console(message: ConsoleMessage) -> None:
        signed_out = "status of 401" in message.text and message.location["url"].endswith(
            "/auth/session"
        )
        if message.type == "error" and not signed_out:
            problems.append(f"{message.text} {message.location['url']}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def request(sent: Request) -> None:
        requested.append(sent.url)

    page.on("request", request)
    return page, problems, requested


async def options(page: Page) -> list[str]:
    found: list[str] = await page.locator("#which option").all_inner_texts()
    return found


async def test_the_set_up_page_explains_itself_and_links_to_a_group_board(
    live_server: LiveServer,
    api_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
    redis: Redis,
) -> None:
    await seed(engine, redis, api_settings)
    page, problems, requested = await watched(browser)
    answer = await page.goto(f"{live_server.url}/teams/config?lang=en")
    assert answer is not None and answer.ok
    policy = await answer.header_value("content-security-policy") or ""
    assert "frame-ancestors 'self' https://teams.microsoft.com" in policy

    # Outside Teams the page says what it is for and how to use it from Teams.
    outside = page.locator("#outside")
    assert await outside.is_visible()
    assert "Add a tab" in await outside.inner_text()
    assert await page.locator("#inside").is_hidden()

    await page.locator("#which:not([disabled]) option").first.wait_for(state="attached")
    assert await options(page) == [
        "Finance Gent (Finance)",
        "Sales Brussel (Sales)",
        "Sales Gent (Sales)",
    ]
    await page.select_option("#which", "Sales Gent")
    await page.locator("#preview:not([hidden])").wait_for()
    assert await page.locator("#preview-name").inner_text() == "Sales Gent of the month"
    line = await page.locator("#preview-line").inner_text()
    assert line.startswith("Rank 1") and "5 of 7 active" in line
    link = page.locator("#open")
    assert await link.is_visible()
    href = await link.get_attribute("href") or ""
    assert href.startswith(f"{live_server.url}/screen?")
    assert parse_qs(urlsplit(href).query) == {"team": ["Sales Gent"], "lang": ["en"]}

    await page.check("input[name=kind][value=departments]")
    assert await page.locator("#which-label").inner_text() == "Which department?"
    assert await options(page) == ["Finance", "Sales"]
    await page.select_option("#which", "Sales")
    await page.locator("#preview-name", has_text="Sales of the month").wait_for()
    href = await link.get_attribute("href") or ""
    assert parse_qs(urlsplit(href).query) == {"department": ["Sales"], "lang": ["en"]}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "teams-config.png"))

    # The link opens the screen on that group's board.
    await page.goto(href)
    await page.locator("body[data-view=group]").wait_for()
    assert await page.locator("#view-title").inner_text() == "Sales of the month"
    assert (await page.locator("#unit").inner_text()).startswith("Rank 1")
    await page.screenshot(path=str(SCREENSHOTS / "teams-board.png"))

    await page.goto(f"{live_server.url}/teams/config?lang=nl")
    await page.locator("#which:not([disabled])").wait_for()
    assert await page.locator("#which-label").inner_text() == "Welk team?"

    assert await page.evaluate("window.__violations") == []
    assert problems == []
    assert not [u for u in requested if "MicrosoftTeams" in u]  # outside Teams: not loaded


async def test_a_team_board_names_only_who_opted_in(
    live_server: LiveServer,
    api_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
    redis: Redis,
) -> None:
    await seed(engine, redis, api_settings)
    page, problems, _ = await watched(browser)
    await page.goto(f"{live_server.url}/screen?team=Sales%20Gent&lang=en&rotate=false")
    await page.locator("body[data-view=group] ol.board li.row").first.wait_for()
    rows = await page.locator("ol.board li.row").evaluate_all(
        "rows => rows.map(r => [r.dataset.label, Number(r.dataset.value)])"
    )
    # Two members opted in: named with their points; the other three active ones as a sum.
    assert rows == [
        ["Sales Gent Member 0", 40.0],
        ["Sales Gent Member 1", 35.0],
        ["Colleagues without a name (3)", 75.0],
    ]
    assert await page.evaluate("window.__violations") == []
    assert problems == []
