"""The adoption cockpit in Chromium, signed in as an adoption lead through the sandbox
tenant: every chart drawn from a realistic cube, no CSP violation, a CSV downloaded,
and screenshots at 1920x1080 in three languages."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scoring.store.tables import StoredSignal
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.cockpit_world import DEPARTMENTS, fill, simulate
from tests.integration.api.conftest import LiveServer, add_people

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
SHOTS = Path(os.environ.get("COCKPIT_SHOTS", str(SCREENSHOTS)))


async def directory(engine: AsyncEngine, day: date) -> None:
    """The simulated organisation's people in the directory, nearly half of them active
    this week, so the headline (the screen's figures) matches the cube's scale."""
    people = [
        Person(person=f"p-{department or 'none'}-{n}", department=department or None)
        for department, (size, _) in DEPARTMENTS.items()
        for n in range(size)
    ]
    ids = [p.person for p in people]
    await add_people(engine, people)
    async with AsyncSession(engine) as session:
        for number, person in enumerate(ids[::2]):
            active = day - timedelta(days=number % 7)
            session.add(
                StoredSignal(
                    person=person,
                    event_id=f"headline-{number}",
                    app="word",
                    kind="prompt",
                    day=active,
                    at=datetime.combine(active, datetime.min.time(), UTC),
                    source="interaction_history",
                )
            )
        await session.commit()


async def signed_in(browser: Browser, url: str, who: str, path: str) -> tuple[Page, list[str]]:
    context = await browser.new_context(
        viewport={"width": 1920, "height": 1080}, accept_downloads=True
    )
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await sign_in(page, url, who, next_path=path)
    await page.wait_for_selector("body[data-ready=true]")
    return page, problems


async def violations(page: Page) -> list[Any]:
    found: list[Any] = await page.evaluate("window.__violations")
    return found


async def shot(page: Page, name: str, *, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"insights-{name}.png"), full_page=full)


async def test_an_adoption_lead_reads_the_cockpit_and_downloads_a_chart(
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    url = signin_server.url
    day = today(signin_settings.tz)
    await directory(engine, day)  # the headline is cached a minute: people first
    empty, _ = await signed_in(browser, url, "Insights.Read", "/insights?lang=en")
    await empty.locator("#notice", has_text="not built yet").wait_for()
    await shot(empty, "0-empty")

    await fill(engine, simulate(day))
    page, problems = await signed_in(browser, url, "Insights.Read", "/insights?lang=en")
    await page.locator("#trend-chart canvas").wait_for()
    assert await page.locator("#heatmap-table tbody tr").count() == 7  # 6 shown, 1 hidden
    hidden = page.locator("#heatmap-table tr.ck-hidden-row")
    assert "fewer than 5 licensed people" in await hidden.inner_text()
    assert "Research" in await hidden.inner_text()
    legend = await page.locator("#trend .u-legend").inner_text()
    assert "Any app" in legend and "Teams" in legend
    assert await page.locator("#flags-list li").count() == 6
    assert await page.locator("#head-licensed").inner_text() == "250"
    assert "5 percentage points" in await page.locator("#flags-rule").inner_text()
    await shot(page, "1-top")

    async with page.expect_download() as waiting:
        await page.locator("#heatmap a.ck-csv").click()
    download = await waiting.value
    text = Path(await download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Department" and [r[0] for r in rows[1:]][-1] == "Research"
    shown = await page.locator("#heatmap-table tbody tr:not(.ck-hidden-row) th").all_inner_texts()
    assert [r[0] for r in rows[1:-1]] == shown

    await page.locator("#heatmap").scroll_into_view_if_needed()
    await shot(page, "2-heatmap")
    await page.locator("#functions").scroll_into_view_if_needed()
    await shot(page, "3-functions")
    await shot(page, "4-full", full=True)

    await page.locator("#filter-department").select_option("Sales")
    await page.wait_for_selector("body[data-ready=true]")
    await page.locator("#heatmap-table tbody tr").first.wait_for()
    assert await page.locator("#heatmap-table tbody tr").count() == 1
    assert await page.locator("#segments-bars .ck-bar-row").count() == 1
    await page.evaluate("window.scrollTo(0, 0)")
    await shot(page, "5-sales")

    for lang in ("nl", "fr"):
        other, more = await signed_in(browser, url, "Insights.Read", f"/insights?lang={lang}")
        await other.locator("#trend-chart canvas").wait_for()
        await shot(other, f"6-{lang}")
        assert more == [] and await violations(other) == []

    assert problems == [] and await violations(page) == []
