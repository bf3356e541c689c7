"""Nudges in Chromium, signed in through the sandbox tenant as an adoption lead: this
week's gaps per department, a use case to suggest, and a post to the department's
channel after a confirmation; departments too small to show are listed with the reason."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.nudges.gaps import window
from services.sandbox.testing import SandboxHandle
from shared.insight_tables import NONE, Population, Refresh, WeekCell
from shared.periods import today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
SHOTS = Path("/tmp/shots/h4") if Path("/tmp/shots").exists() else SCREENSHOTS


async def fill_cube(engine: AsyncEngine, departments: list[str], day: date) -> tuple[str, str]:
    """A cube over the sandbox's departments: the first two lag in Excel and Word, the
    third leads, a made-up fourth is too small to show. Returns the laggards."""
    weeks = window(day)
    assert weeks is not None
    lagging, second, leading = departments[:3]
    licensed = {lagging: 40, second: 30, leading: 40, "Board": 3, NONE: 4}
    # Per week: distinct active people per department and app.
    active = {
        (lagging, "excel"): 4,
        (lagging, "word"): 6,
        (lagging, "teams"): 30,
        (second, "excel"): 6,
        (second, "word"): 20,
        (second, "teams"): 20,
        (leading, "excel"): 34,
        (leading, "word"): 28,
        (leading, "teams"): 25,
        ("Board", "excel"): 3,
    }
    async with AsyncSession(engine) as session:
        for department, n in licensed.items():
            session.add(Population(department=department, function="", licensed=n))
        for monday in weeks.mondays:
            for (department, app), people in active.items():
                session.add(
                    WeekCell(
                        week=monday,
                        department=department,
                        function="",
                        app=app,
                        people=people,
                        actions=people * 4,
                        person_days=people * 2,
                    )
                )
        session.add(
            Refresh(
                first_day=weeks.since - timedelta(weeks=8),
                last_day=day - timedelta(days=1),
                segments_until=weeks.until,
                segment_weeks=4,
            )
        )
        await session.commit()
    return lagging, second


async def test_an_adoption_lead_posts_a_nudge_to_a_department(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    people = [p for p in sandbox.people(limit=500) if p["present"]]
    departments = [d for d, _ in Counter(p["department"] for p in people).most_common(3)]
    lagging, _ = await fill_cube(engine, departments, today(signin_settings.tz))
    url = signin_server.url

    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await sign_in(page, url, "Insights.Read", next_path="/insights/nudges?lang=en")
    await page.wait_for_selector("body[data-ready=true]")

    first = page.locator(f".nudge-department[data-department='{lagging}']")
    await first.wait_for()
    assert await page.locator(".nudge-department").count() == 2
    excel = first.locator(".nudge[data-app=excel]")
    assert "Excel" in await excel.locator("h3").inner_text()
    assert await excel.locator(".nudge-bar-department .nudge-bar-value").inner_text() == "10%"
    assert "points below" in await excel.locator(".nudge-gap").inner_text()
    assert await excel.locator(".nudge-prompt").count() == 1
    assert "Board" in await page.locator("#hidden").inner_text()
    assert "fewer than 5 licensed people" in await page.locator("#hidden").inner_text()
    assert "People without a department" in await page.locator("#hidden").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "nudges-1-list-en.png"))

    await excel.get_by_role("button", name="Post to the department's channel").click()
    await excel.locator(".nudge-confirm").wait_for()
    assert lagging in await excel.locator(".nudge-confirm").inner_text()
    await page.screenshot(path=str(SHOTS / "nudges-2-confirm-en.png"))
    await excel.get_by_role("button", name="Yes, post").click()
    await excel.get_by_text("Posted on").wait_for()
    await page.screenshot(path=str(SHOTS / "nudges-3-posted-en.png"))

    # Posted stays posted: after a reload it says so, without a button.
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    again = page.locator(f".nudge-department[data-department='{lagging}'] .nudge[data-app=excel]")
    await again.get_by_text("Posted on").wait_for()
    assert await again.get_by_role("button").count() == 0

    for lang in ("nl", "fr"):
        await page.goto(f"{url}/insights/nudges?lang={lang}")
        await page.wait_for_selector("body[data-ready=true]")
        await page.locator(".nudge").first.wait_for()
        await page.screenshot(path=str(SHOTS / f"nudges-4-list-{lang}.png"))
    found: list[Any] = await page.evaluate("window.__violations")
    assert found == [] and problems == []
    await context.close()


async def test_before_the_cube_is_built_the_page_says_so(
    signin_server: LiveServer, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await sign_in(page, signin_server.url, "Insights.Read", next_path="/insights/nudges?lang=fr")
    await page.wait_for_selector("body[data-ready=true]")
    empty = page.locator("#empty")
    await empty.wait_for()
    assert "Pas encore de chiffres" in await empty.inner_text()
    assert await page.locator(".nudge").count() == 0
    assert await page.locator("#none").is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "nudges-5-empty-fr.png"))
    await context.close()
