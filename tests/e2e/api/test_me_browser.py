"""The employee page in Chromium, signed in: progress within reach, the streak calendar,
what to try next (and trying it), kudos with the hide switch, stories, and the opt-in
explained; on a 1920x1080 screen and on a phone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sandbox.testing import SandboxHandle
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.rulebook import default_rules, default_source
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people, put_scores, team_of
from tests.integration.api.signin import SandboxPerson, sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


WORKING = WorkCalendar(default_rules().calendar)


def working_days_back(start: date, count: int) -> list[date]:
    """The ``count`` working days (under the default rules) before ``start``, latest first."""
    days: list[date] = []
    day = start
    while len(days) < count:
        day -= timedelta(days=1)
        if WORKING.is_working_day(day):
            days.append(day)
    return days


async def used(engine: AsyncEngine, person: str, days: list[tuple[date, str]]) -> None:
    async with engine.begin() as conn:
        for day, app in days:
            await conn.execute(
                text(
                    "INSERT INTO scoring_signal (person, event_id, app, kind, day, at, source,"
                    " received_at) VALUES (:p, :e, :a, 'active_day', :d, :at, 'usage_report',"
                    " :at)"
                ),
                {
                    "p": person,
                    "e": uuid.uuid4().hex,
                    "a": app,
                    "d": day,
                    "at": datetime.combine(day, time(12), UTC),
                },
            )


async def seed(
    sandbox: SandboxHandle,
    server: LiveServer,
    engine: AsyncEngine,
    redis: Redis,
    settings: ApiSettings,
) -> tuple[SandboxPerson, SandboxPerson]:
    """Me (the first admin), a colleague who thanks me, a month of use, a kudos each way
    and a story I wrote."""
    me = sandbox_person(sandbox, "Admin")
    people = [p for p in sandbox.people(limit=60) if p["present"] and p["id"] != me.id]
    other = sandbox_person(sandbox, people[0]["userPrincipalName"])
    mine, theirs = me.pseudonym(settings), other.pseudonym(settings)
    await add_people(
        engine,
        [
            *team_of("Finance Gent", 6, department="Finance"),
            Person(person=mine, display_name=me.name, team="Finance Gent", department="Finance"),
            Person(
                person=theirs,
                display_name=other.name,
                team="Finance Gent",
                department="Finance",
                opted_in=True,
            ),
        ],
    )
    day = today(settings.tz)
    week = period_key(Window.WEEK, day)
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, {"p-finance gent-1": 90, mine: 60})
    # Three weeks of use with one missed working day (a freeze), after an older run.
    recent = working_days_back(day, 16)
    missed = recent[6]
    use = [(d, "word") for d in recent if d != missed] + [(recent[3], "excel")]
    older = working_days_back(recent[-1] - timedelta(days=14), 6)
    await used(engine, mine, use + [(d, "word") for d in older])
    admin = bearer(sandbox.user_token(upn=me.upn, roles=["Admin"]))
    colleague = bearer(sandbox.user_token(upn=other.upn, roles=["Admin"]))
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        published = await http.post(
            "/api/admin/rules", json={"source": default_source()}, headers=admin
        )
        assert published.status_code == 201, published.text
        thanks = {
            "id": str(uuid.uuid4()),
            "to": mine,
            "value": "time_saver",
            "message": "Your meeting recap saved my afternoon",
        }
        assert (await http.post("/api/kudos", json=thanks, headers=colleague)).is_success
        back = {"id": str(uuid.uuid4()), "to": theirs, "value": "helpful", "message": "Thanks!"}
        assert (await http.post("/api/kudos", json=back, headers=admin)).is_success
        story = {
            "id": str(uuid.uuid4()),
            "app": "word",
            "minutes_saved": 45,
            "text": "Copilot drafted the quarterly summary from my notes in ten minutes.",
        }
        assert (await http.post("/api/stories", json=story, headers=admin)).is_success
    return me, other


async def open_me(browser: Browser, url: str, width: int, height: int) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": width, "height": height})
    await page.add_init_script(LISTEN)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


async def ready(page: Page) -> None:
    await page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=20_000)


async def overflow(page: Page) -> list[str]:
    """Boxes wider than the page: a phone would scroll sideways."""
    found: list[str] = await page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('#content *')].filter((node) => {
            const box = node.getBoundingClientRect();
            return box.width > 0 && box.right > width + 1;
          });
          return wide.slice(0, 5).map((n) => n.tagName + '.' + n.className + ' ' +
            Math.round(n.getBoundingClientRect().right));
        }"""
    )
    return found


async def test_my_page_shows_my_progress_calendar_suggestions_kudos_and_stories(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    me, other = await seed(sandbox, signin_server, engine, redis, signin_settings)
    page, problems = await open_me(browser, signin_server.url, 1920, 1080)
    await sign_in(page, signin_server.url, "Admin", next_path="/me?lang=en")
    await ready(page)

    # Badges within reach, each with its rule in words and a bar.
    goals = page.locator("#within li.me-goal")
    assert 1 <= await goals.count() <= 4
    within = await page.locator("#within").inner_text()
    assert "Use Copilot" in within or "Be active" in within or "Send" in within
    assert await page.locator("#within progress").count() == await goals.count()
    assert "points to" in await page.locator("#level").inner_text()

    # The calendar agrees with the streak on the profile.
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        token = bearer(sandbox.user_token(upn=me.upn))
        profile = (await http.get("/api/me", headers=token)).json()
        calendar = (await http.get("/api/me/calendar?weeks=12", headers=token)).json()
    assert calendar["current"] == profile["streak"]["current"] == 15
    cells = page.locator("#calendar .me-day")
    assert await cells.count() == 84
    states = await cells.evaluate_all("cells => cells.map(c => c.dataset.state)")
    assert states.count("frozen") == 1 and "active" in states and "weekend" in states
    assert await page.locator("#calendar .me-in-streak").count() == calendar["current"] + 1
    assert "Current streak" in await page.locator("#streak-figures").inner_text()

    # Kudos: what I received, from a named colleague, and what I gave.
    assert other.name in await page.locator("#kudos-received").inner_text()
    assert (
        "Your meeting recap saved my afternoon"
        in await page.locator("#kudos-received").inner_text()
    )
    assert "Thanks!" in await page.locator("#kudos-given").inner_text()
    assert "4 of 5" in await page.locator("#kudos-left").inner_text()
    # Stories: mine, awaiting approval.
    assert "awaiting approval" in await page.locator("#my-stories").inner_text()
    assert "45 min saved" in await page.locator("#my-stories").inner_text()
    # The opt-in explained; the links onwards.
    privacy = await page.locator("#privacy").inner_text()
    assert "fewer than 5 licensed colleagues" in privacy and "Off (the default)" in privacy
    assert await page.locator("a[href='/community?lang=en']").count() >= 1
    assert await page.locator("a[href='/champions?lang=en']").count() == 1

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "me-1920x1080.png"))
    await page.screenshot(path=str(SCREENSHOTS / "me-1920x1080-full.png"), full_page=True)

    # Trying a suggestion: the button gives way to the promise of confirmation.
    card = page.locator("#suggestions li.me-card").first
    await card.wait_for()
    use_case = await card.get_attribute("data-use-case")
    app = await card.locator(".me-tag").inner_text()
    await card.get_by_role("button", name="I tried this").click()
    await card.locator(".me-try-status", has_text="Noted").wait_for()
    assert await card.get_by_role("button").count() == 0
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        tries = (await http.get("/api/me/tries", headers=token)).json()
    assert [t["use_case"] for t in tries] == [use_case]
    assert app  # the card names the app to use

    # Hiding the message of a kudos I received, and showing it again.
    switch = page.locator("#kudos-received input[role=switch]").first
    await switch.check()
    await page.locator("#kudos-received .me-hidden-note:visible").wait_for()
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        mine = (await http.get("/api/me/kudos", headers=token)).json()
    assert mine["received"][0]["hidden"] is True

    # The opt-in switch changes what the directory says.
    async with page.expect_response(lambda r: r.url.endswith("/api/me/opt-in")) as answer:
        await page.locator("#opt-in").check()
    assert (await answer.value).ok
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        now = (await http.get("/api/me", headers=token)).json()
    assert now["opted_in"] is True
    assert await page.evaluate("window.__violations") == []
    assert problems == []


async def test_my_page_reads_well_on_a_phone(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    await seed(sandbox, signin_server, engine, redis, signin_settings)
    page, problems = await open_me(browser, signin_server.url, 390, 844)
    await sign_in(page, signin_server.url, "Admin", next_path="/me?lang=nl")
    await ready(page)

    assert await overflow(page) == []
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    cell: Any = await page.locator("#calendar .me-day").first.bounding_box()
    assert cell is not None and cell["width"] >= 14  # a day is still a visible square
    assert "Probeer dit eens" in await page.locator("#try").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "me-390x844.png"))
    await page.screenshot(path=str(SCREENSHOTS / "me-390x844-full.png"), full_page=True)
    for part in ("calendar-card", "kudos", "privacy"):
        shot = SCREENSHOTS / f"me-390x844-{part}.png"
        await page.locator(f"#{part}").screenshot(path=str(shot))
    assert problems == []


async def test_a_section_whose_answer_is_missing_says_so_and_the_rest_still_shows(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    await seed(sandbox, signin_server, engine, redis, signin_settings)
    page, problems = await open_me(browser, signin_server.url, 1280, 900)
    for path in ("/api/me/suggestions", "/api/me/kudos", "/api/me/stories"):
        await page.route(
            f"**{path}*", lambda route: route.fulfill(status=404, json={"detail": "Not Found"})
        )
    await sign_in(page, signin_server.url, "Admin", next_path="/me?lang=en")
    await ready(page)

    for section in ("#suggestions", "#kudos-received", "#my-stories"):
        assert "not available right now" in await page.locator(section).inner_text()
    assert await page.locator("#calendar .me-day").count() == 84
    assert await page.locator("#within li.me-goal").count() >= 1
    assert problems == []
