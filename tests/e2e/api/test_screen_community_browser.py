"""The office screen's community side in Chromium: success stories, kudos shout-outs and
the check-in code of a running champion event, each arriving over JetStream COMMUNITY on
an open screen without a reload."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from nats.js import JetStreamContext
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions import codes
from services.api.champions.tables import ChampionEvent
from shared.bus import publish
from shared.events import (
    App,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    StoryPublished,
)
from shared.people import Person
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium
from tests.e2e.api.screen_community import (
    StorySeed,
    add_stories,
    display_token,
    running_event,
)
from tests.integration.api.conftest import LiveServer, add_people, team_of

pytestmark = [pytest.mark.e2e, needs_chromium]

FIRST = "Copilot summarised forty customer mails into five open questions before my call."
SECOND = "A first draft of the tender in Word took me twenty minutes instead of a morning."
LATEST = "Excel found the three suppliers behind most late deliveries in one prompt."


async def people(engine: AsyncEngine) -> None:
    await add_people(
        engine,
        [
            Person(person=f"p-sales-{i}", display_name=f"Sales Person {i}", team="Sales",
                   department="Sales", opted_in=True)
            for i in range(5)
        ]
        + team_of("Quiet", 6, department="Quiet"),
    )  # fmt: skip


async def open_screen(browser: Browser, url: str) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(url)
    await page.locator("#live[data-state=open]").wait_for()
    # Set once: a reload would lose it.
    await page.evaluate("() => { window.__opened = true; }")
    return page, errors


def story_news(
    story: str, change: CommunityChange = CommunityChange.APPROVED
) -> CloudEvent[StoryPublished]:
    payload = StoryPublished(
        story=story, change=change, app=App.EXCEL, minutes_saved=90, text=LATEST, department="Sales"
    )
    return CloudEvent.wrap(payload, source="test")


async def test_a_story_approved_while_the_screen_shows_stories_appears_at_once(
    live_server: LiveServer, browser: Browser, engine: AsyncEngine, js: JetStreamContext
) -> None:
    await people(engine)
    await add_stories(
        engine,
        [
            StorySeed("p-quiet-1", "outlook", 25, FIRST, "Quiet", "outlook-customer-call-prep"),
            StorySeed("p-sales-1", "word", 240, SECOND, "Sales", "word-first-draft", named=True),
        ],
    )
    page, errors = await open_screen(
        browser, f"{live_server.url}/screen?view=stories&rotate=false&lang=en"
    )
    story = page.locator("#stage .story")
    await story.wait_for()
    assert SECOND in await story.locator(".story-text").inner_text()  # the latest first
    assert "240" in await story.locator(".story-minutes").inner_text()
    assert "min saved" in await story.locator(".story-minutes").inner_text()
    assert await story.locator(".story-by").inner_text() == "\u2014 Sales Person 1, Sales"
    assert await page.locator("#view-title").inner_text() == "Success stories"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "screen-stories-1920x1080.png"))

    [latest] = await add_stories(engine, [StorySeed("p-quiet-2", "excel", 90, LATEST, "Quiet")])
    await publish(js, story_news(latest))

    await page.locator("#stage .story-text", has_text=LATEST).wait_for(timeout=15_000)
    assert await page.locator("#stage .story-by").inner_text() == "\u2014 A colleague from Quiet"
    assert await page.evaluate("() => window.__opened === true")  # no reload
    await page.screenshot(path=str(SCREENSHOTS / "screen-stories-live-1920x1080.png"))
    assert errors == []


async def test_a_kudos_given_is_shouted_out_with_names_only_of_those_who_opted_in(
    live_server: LiveServer, browser: Browser, engine: AsyncEngine, js: JetStreamContext
) -> None:
    await people(engine)
    page, errors = await open_screen(
        browser, f"{live_server.url}/screen?view=teams&rotate=false&lang=en"
    )
    given = KudosGiven(
        kudos="k-1", giver="p-sales-2", receiver="p-quiet-3", value="time_saver", date=date.today()
    )
    await publish(js, CloudEvent.wrap(given, source="test"))

    toast = page.locator("#toast:not([hidden])")
    await toast.wait_for(timeout=15_000)
    assert await toast.inner_text() == "Sales Person 2 thanked a colleague Time saver"
    assert await toast.get_attribute("data-kind") == "kudos"
    await page.screenshot(path=str(SCREENSHOTS / "screen-kudos-toast-1920x1080.png"))
    assert errors == []


async def test_a_running_event_shows_its_check_in_code_beside_the_rotation(
    live_server: LiveServer, browser: Browser, engine: AsyncEngine, js: JetStreamContext
) -> None:
    await people(engine)
    screen, token = await display_token(live_server.app)
    page, errors = await open_screen(
        browser, f"{live_server.url}/screen?view=teams&rotate=false&lang=en&token={token}"
    )
    assert await page.locator("#checkin").is_hidden()

    title = "Lunch & learn: Copilot in Excel"
    event = await running_event(engine, screen, title)
    now = datetime.now(UTC)
    planned = ChampionEventChanged(
        event=event,
        change=CommunityChange.CREATED,
        format="lunch_and_learn",
        title=title,
        starts_at=now - timedelta(minutes=15),
        ends_at=now + timedelta(minutes=45),
    )
    await publish(js, CloudEvent.wrap(planned, source="test"))

    panel = page.locator("#checkin:not([hidden])")
    await panel.wait_for(timeout=15_000)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        answer = (await http.get(f"/api/screen/checkin?token={token}")).json()
    [running] = answer["events"]
    assert await panel.locator("#checkin-event").inner_text() == title
    async with AsyncSession(engine) as session:
        row = await session.get(ChampionEvent, event)
        assert row is not None
    shown = await page.locator("#checkin-code").inner_text()
    assert codes.check(row.secret, event, shown, datetime.now(UTC)) == codes.Verdict.VALID
    if shown == running["code"]:  # else the code turned over between the two reads
        assert await page.locator("#checkin-qr").get_attribute("src") == running["qr_data_uri"]
    assert await page.evaluate("() => window.__opened === true")  # no reload
    await page.wait_for_function("() => document.body.dataset.fitted === 'checkin'")
    await page.screenshot(path=str(SCREENSHOTS / "screen-checkin-1920x1080.png"))
    assert errors == []


async def test_a_screen_without_a_display_token_shows_no_check_in(
    live_server: LiveServer, browser: Browser, engine: AsyncEngine
) -> None:
    await people(engine)
    screen, _ = await display_token(live_server.app)
    await running_event(engine, screen, "Office hours")
    page, errors = await open_screen(browser, f"{live_server.url}/screen?view=teams&rotate=false")
    await page.wait_for_function("() => document.body.dataset.fitted === 'plain'")
    assert await page.locator("#checkin").is_hidden()
    assert errors == []
