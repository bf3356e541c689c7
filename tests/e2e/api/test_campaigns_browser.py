"""Campaigns in Chromium, signed in through the sandbox tenant as an admin: recording a
training for a department through the form and seeing its effect (a chart of both groups'
weekly active rates, the estimate with its interval and the verdict), from an adoption cube
built with a known effect; a campaign too recent to judge says when to come back."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.sandbox.testing import SandboxHandle
from shared.insight_tables import ANY_APP, Population, Refresh, WeekCell, week_of
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people
from tests.integration.api.signin import sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
SHOTS = Path("/tmp/shots/h3") if Path("/tmp/shots").exists() else SCREENSHOTS
TRUE_POINTS = 12.0


async def directory(
    sandbox: SandboxHandle, engine: AsyncEngine, settings: ApiSettings
) -> list[str]:
    """The sandbox's people, and unnamed colleagues so that the three biggest departments
    are big enough to show; returns those departments, biggest first."""
    people = [p for p in sandbox.people(limit=500) if p["present"]]
    found = [sandbox_person(sandbox, p["userPrincipalName"]) for p in people]
    await add_people(
        engine,
        [
            Person(person=p.pseudonym(settings), display_name=p.name, department=p.department)
            for p in found
        ],
    )
    departments = [
        d for d, _ in Counter(p.department for p in found if p.department).most_common(3)
    ]
    await add_people(
        engine,
        [
            Person(person=f"p-{uuid.uuid4().hex[:20]}", display_name="Colleague", department=d)
            for d in departments
            for _ in range(40)
        ],
    )
    return departments


async def fill_cube(engine: AsyncEngine, departments: list[str], starts: date, day: date) -> None:
    """Weekly active people per department: a level, a shock common to all departments, a
    little noise, and ``TRUE_POINTS`` more for the first department after the campaign."""
    rng = random.Random(4)
    licensed = dict.fromkeys(departments, 120)
    first = week_of(day) - timedelta(weeks=14)
    last = day - timedelta(days=1)
    async with AsyncSession(engine) as session:
        for department, n in licensed.items():
            session.add(Population(department=department, function="", licensed=n))
        week = first
        while week + timedelta(days=6) <= last:
            shock = rng.uniform(-0.06, 0.06)
            for number, department in enumerate(departments):
                lift = TRUE_POINTS / 100 if number == 0 and week > week_of(starts) else 0.0
                rate = 0.32 + 0.05 * number + shock + lift + rng.gauss(0, 0.01)
                people = round(rate * licensed[department])
                session.add(
                    WeekCell(
                        week=week,
                        department=department,
                        function="",
                        app=ANY_APP,
                        people=people,
                        actions=people * 4,
                        person_days=people * 2,
                    )
                )
            week += timedelta(weeks=1)
        session.add(Refresh(first_day=first, last_day=last, segments_until=last, segment_weeks=4))
        await session.commit()


async def test_an_admin_records_a_training_and_sees_its_effect(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    departments = await directory(sandbox, engine, signin_settings)
    day = today(signin_settings.tz)
    starts = week_of(day) - timedelta(weeks=5) + timedelta(days=2)  # a Wednesday
    await fill_cube(engine, departments, starts, day)
    target = departments[0]
    url = signin_server.url

    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    await sign_in(page, url, "Admin", next_path="/insights/campaigns?lang=en")
    await page.locator("#campaigns-none").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "campaigns-1-empty-en.png"))

    async def record(title: str, kind: str, on: date) -> None:
        await page.select_option("#campaign-kind", kind)
        await page.fill("#campaign-title", title)
        await page.fill("#campaign-starts", on.isoformat())
        await page.locator("#campaign-departments label", has_text=target).locator("input").check()
        await page.get_by_role("button", name="Record").click()
        await page.locator("#record-result.ok").wait_for()

    await record("Copilot in Excel, hands-on", "training", starts)
    effect = page.locator(".campaign", has_text="Copilot in Excel").locator(".effect")
    await effect.locator(".verdict").wait_for()
    verdict = await effect.locator(".verdict").inner_text()
    assert verdict.startswith("Since the training on")
    assert f"the weekly active rate of {target} rose" in verdict
    assert verdict.endswith("likely a real effect.")
    estimate = await effect.locator(".estimate").inner_text()
    assert abs(float(estimate.split()[0].replace("+", "")) - TRUE_POINTS) < 2.5
    assert "parallel" in await effect.locator(".effect-figures").inner_text()
    assert await effect.locator("canvas").count() >= 1

    await record("December newsletter", "newsletter", day - timedelta(days=2))
    early = page.locator(".campaign", has_text="December newsletter")
    await early.locator(".refusal").wait_for()
    assert "Come back on or after" in await early.locator(".refusal").inner_text()
    await page.screenshot(path=str(SHOTS / "campaigns-2-effect-en.png"), full_page=True)

    for lang in ("nl", "fr"):
        await page.goto(f"{url}/insights/campaigns?lang={lang}")
        await page.locator(".campaign .verdict").first.wait_for()
        await page.screenshot(path=str(SHOTS / f"campaigns-3-effect-{lang}.png"), full_page=True)
    nl_or_fr = await page.locator(".campaign .verdict").first.inner_text()
    assert nl_or_fr.startswith("Depuis la formation du")
    found: list[Any] = await page.evaluate("window.__violations")
    assert found == [] and problems == []
    await context.close()
