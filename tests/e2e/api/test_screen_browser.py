"""The office screen in headless Chromium: it shows the board and changes live on an award."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from playwright.async_api import Browser, Page, async_playwright
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.bus import publish
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded
from shared.leaderboards import Scope
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer, add_people, put_scores, team_of

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)",
    ),
]


@pytest.fixture
def api_settings(
    redis_url: str, nats_url: str, database_url: str, engine: AsyncEngine, nc: object
) -> ApiSettings:
    return ApiSettings(
        environment="test",
        redis_url=redis_url,
        nats_url=nats_url,
        database_url=database_url,
        api_board_cache_seconds=0,
        api_directory_ttl_seconds=0,
        api_screen_rotate_seconds=3600,  # stay on the team board while the test watches
        api_screen_window="month",
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


async def first_team(page: Page) -> str | None:
    return await page.locator("ol.board[data-scope=teams] li.row").first.get_attribute("data-label")


def points_for(person: str, team: str, key: str) -> CloudEvent[PointsAwarded]:
    award = PointsAwarded(
        person=person,
        rule="active_day",
        ruleset_version=1,
        activity_date=date.today(),
        team=team,
        ledger_key=key,
        points=40,
    )
    return CloudEvent.wrap(award, source="test")


async def test_screen_shows_the_team_board_and_follows_awards_live(
    live_server: LiveServer,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
    api_settings: ApiSettings,
) -> None:
    month = period_key(Window.MONTH, today(api_settings.tz))
    await add_people(
        engine,
        [
            *team_of("Finance Gent", 6, department="Finance", opted=1),
            *team_of("Sales Antwerpen", 8, department="Sales"),
            *team_of("HR Leuven", 5, department="HR"),
            *team_of("Legal", 2, department="Legal"),
        ],
    )
    await put_scores(
        redis,
        Scope.TEAMS,
        Window.MONTH,
        month,
        {"Finance Gent": 42.5, "Sales Antwerpen": 31.25, "HR Leuven": 12, "Legal": 99},
    )
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await page.goto(f"{live_server.url}/screen")

    await page.locator("#live[data-state=open]").wait_for()
    await page.locator("ol.board[data-scope=teams] li.row").first.wait_for()
    labels = await page.locator("ol.board[data-scope=teams] li.row").evaluate_all(
        "rows => rows.map(r => r.dataset.label)"
    )
    assert labels == ["Finance Gent", "Sales Antwerpen", "HR Leuven"]  # Legal is too small
    assert "Teams van de maand" in await page.locator("#view-title").inner_text()

    await put_scores(redis, Scope.TEAMS, Window.MONTH, month, {"Sales Antwerpen": 47.75})
    await publish(js, points_for("p-sales antwerpen-1", "Sales Antwerpen", "k-live"))
    await page.wait_for_function(
        "document.querySelector('ol.board[data-scope=teams] li.row')?.dataset.label"
        " === 'Sales Antwerpen'",
        timeout=15_000,
    )
    assert await first_team(page) == "Sales Antwerpen"

    badge = BadgeAwarded(
        person="p-finance gent-0",
        rule="explorer",
        ruleset_version=1,
        activity_date=date.today(),
        team="Finance Gent",
        ledger_key="b-live",
        badge="explorer",
        title="Ontdekker",
    )
    await publish(js, CloudEvent.wrap(badge, source="test"))
    toast = page.locator("#toast:not([hidden])")
    await toast.wait_for(timeout=15_000)
    assert "Ontdekker" in await toast.inner_text()
    assert "Finance Gent Member 0" in await toast.inner_text()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "screen-1080p.png"))
    big = await browser.new_page(viewport={"width": 3840, "height": 2160})
    await big.goto(f"{live_server.url}/screen?lang=en")
    await big.locator("ol.board[data-scope=teams] li.row").first.wait_for()
    assert "Teams of the month" in await big.locator("#view-title").inner_text()
    await big.screenshot(path=str(SCREENSHOTS / "screen-4k.png"))
