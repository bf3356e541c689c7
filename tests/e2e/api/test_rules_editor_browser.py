"""The rules editor in Chromium, signed in as an admin through the sandbox tenant: a challenge
made in the forms (titles in three languages, scope, metric, dates around today), checked
as it is typed, previewed as a table, published, shown on the office screen, then rolled
back from the versions list. Screenshots at 1920x1080."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.sandbox.testing import SandboxHandle
from services.scoring.rulebook import default_source
from services.scoring.store.tables import StoredSignal
from shared.periods import local_date, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people, team_of

pytestmark = [pytest.mark.e2e, needs_chromium]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots")) / "rules-editor"
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
TITLES = {
    "nl": "Prompt-marathon van de week",
    "en": "Prompt marathon of the week",
    "fr": "Marathon d'invites de la semaine",
}


async def add_usage(engine: AsyncEngine, settings: ApiSettings, people: list[str]) -> None:
    """A few active days in a few apps for each person, the later people more active."""
    now = datetime.now(UTC)
    async with AsyncSession(engine) as session:
        for n, person in enumerate(people):
            for ago in range(n % 4 + 1):
                for app in ("word", "excel", "teams")[: n % 3 + 1]:
                    moment = now - timedelta(days=ago)
                    session.add(
                        StoredSignal(
                            event_id=f"e-{person}-{ago}-{app}",
                            person=person,
                            app=app,
                            kind="active_day",
                            day=local_date(moment, settings.tz),
                            at=moment,
                            source="usage_report",
                        )
                    )
        await session.commit()


def field(page: Page, path: str) -> Any:
    return page.locator(f'#rules-sections [data-path="{path}"]:is(input, select)')


async def shot(page: Page, name: str) -> None:
    for folder in (SHOTS, Path("/tmp/shots/h6")):
        folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(folder / f"{name}.png"))


async def test_a_challenge_made_in_the_forms_is_previewed_published_and_on_the_screen(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    people = [*team_of("Finance Gent", 8, department="Finance", opted=2)]
    people += team_of("Sales Antwerpen", 6, department="Sales")
    ids = [p.person for p in people]
    await add_people(engine, people)
    await add_usage(engine, signin_settings, ids)
    admin = {"Authorization": f"Bearer {sandbox.user_token(roles=['Admin'])}"}
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        first = await http.post(
            "/api/admin/rules", json={"source": default_source()}, headers=admin
        )
        assert first.status_code == 201

    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.add_init_script(LISTEN)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda dialog: dialog.accept())
    await sign_in(page, signin_server.url, "Admin", next_path="/admin?lang=en")
    await page.locator("#content:not([hidden]) .rules-section").first.wait_for()
    assert await page.locator(".cockpit-nav a[aria-current=page]").inner_text() == "Rules"
    assert await page.locator("#version").inner_text() == "v1"
    await shot(page, "editor-top")

    # More points for an active day, so the preview has gainers; the Explorer badge for
    # two apps instead of three, so some gain it.
    await field(page, "points.per_kind.active_day").fill("15")
    assert await field(page, "badges.5.id").input_value() == "explorer-3"
    await field(page, "badges.5.apps").fill("2")
    # Only the new challenge runs: the ones of the default rules go.
    while await page.locator(".rules-card.challenge").count():
        await page.locator(".rules-card.challenge button.remove").first.click()
    await page.get_by_role("button", name="Add a challenge").click()
    card = page.locator(".rules-card.challenge").last
    await card.locator('input[lang="nl"]').fill(TITLES["nl"])
    # A text missing in a language: the server's warning shows at the title as one types.
    await card.locator(".title-group .field-problem .warning").wait_for(timeout=10_000)
    await card.locator('input[lang="en"]').fill(TITLES["en"])
    await card.locator('input[lang="fr"]').fill(TITLES["fr"])
    await field(page, "challenges.0.id").fill("prompt-marathon")
    await field(page, "challenges.0.scope").select_option("person")
    await field(page, "challenges.0.metric").select_option("active_rate")
    metric_problem = card.locator('[data-path="challenges.0.metric"] .field-problem .problem')
    await metric_problem.wait_for()  # a share of active colleagues is for groups only
    await field(page, "challenges.0.metric").select_option("active_days")
    assert await metric_problem.count() == 0
    day = today(signin_settings.tz)
    await field(page, "challenges.0.start").fill((day + timedelta(days=2)).isoformat())
    await field(page, "challenges.0.end").fill((day + timedelta(days=1)).isoformat())
    end_problem = card.locator('[data-path="challenges.0.end"] .field-problem .problem')
    await end_problem.wait_for()
    assert "before the start" in await end_problem.inner_text()
    await field(page, "challenges.0.start").fill((day - timedelta(days=2)).isoformat())
    await field(page, "challenges.0.end").fill((day + timedelta(days=5)).isoformat())
    await field(page, "challenges.0.winners").fill("5")
    await page.locator("#rules-summary .ok").wait_for(timeout=10_000)
    await card.locator(".title-group .field-problem .warning").wait_for(state="detached")
    await card.scroll_into_view_if_needed()
    await shot(page, "editor")

    await page.click("#preview")
    table = page.locator("#preview-panel:not([hidden]) .preview-table")
    await table.wait_for(timeout=30_000)
    tiles = page.locator("#preview-panel .tile .tile-value")
    counted, gainers, losers, _, badges_gained, badges_lost = await tiles.all_inner_texts()
    assert int(gainers) > 0 and int(badges_gained) > 0 and (losers, badges_lost) == ("0", "0")
    assert int(counted) == len(ids)
    assert await table.locator("ul.chips.gained li", has_text="Explorer").count() > 0
    rows = await table.locator("tbody tr.gain").count()
    assert rows > 0
    # Named only where the directory allows: the two who opted in, the rest by pseudonym.
    named = await table.locator("td.who.named").all_inner_texts()
    assert set(named) == {"Finance Gent Member 0", "Finance Gent Member 1"}
    pseudonyms = await table.locator("td.who.pseudonym").all_inner_texts()
    assert "p-sales antwerpen-5" in pseudonyms
    await shot(page, "preview")

    await page.fill("#note", "Prompt marathon")
    await page.click("#publish")
    await page.locator("#result .ok", has_text="v2").wait_for(timeout=30_000)
    assert await page.locator("#version").inner_text() == "v2"
    active = page.locator("#history tr.active")
    assert "Prompt marathon" in await active.inner_text()
    # The forms now hold the published rules, as stored in readable YAML.
    assert await field(page, "challenges.0.id").input_value() == "prompt-marathon"
    assert "prompt-marathon" in await page.locator("#source").input_value()

    screen = await context.new_page()
    await screen.goto(f"{signin_server.url}/screen?view=challenge&rotate=false&lang=en")
    await screen.locator(".challenge-name", has_text=TITLES["en"]).wait_for(timeout=15_000)
    await shot(screen, "screen-challenge")
    await screen.goto(f"{signin_server.url}/screen?view=challenge&rotate=false&lang=fr")
    await screen.locator(".challenge-name", has_text=TITLES["fr"]).wait_for(timeout=15_000)

    await page.locator('#history tr[data-version="1"] button').click()
    await page.locator("#result .ok", has_text="v3").wait_for(timeout=30_000)
    assert await page.locator("#history tr.active").get_attribute("data-version") == "3"
    assert await page.locator(".rules-card.challenge").count() == 2  # the default ones again
    await page.locator("#history-section").scroll_into_view_if_needed()
    await shot(page, "history")
    assert errors == []
    assert await page.evaluate("window.__violations") == []


async def test_yaml_edits_come_back_to_the_forms_and_form_edits_reach_the_yaml(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    browser: Browser,
) -> None:
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await sign_in(page, signin_server.url, "Admin", next_path="/admin?lang=fr")
    await page.locator("#content:not([hidden]) .rules-section").first.wait_for()
    assert await page.locator("#version").inner_text() == "pas encore publiées"
    assert "# The default rule set" in await page.locator("#source").input_value()

    await field(page, "challenges.0.end").fill("2026-11-01")
    problem = page.locator('[data-path="challenges.0.end"] .field-problem .problem')
    assert await problem.inner_text() == "La fin précède le début."
    assert "1 problème(s)" in await page.locator("#rules-summary .error").inner_text()
    await page.locator(".rules-card.challenge").first.scroll_into_view_if_needed()
    await shot(page, "editor-fr-problem")
    await field(page, "challenges.0.end").fill("2026-12-31")
    await page.locator("#rules-summary .ok").wait_for()
    await page.locator(".cards.badges").scroll_into_view_if_needed()
    await shot(page, "badges-fr")

    await field(page, "points.daily_cap").fill("75")
    await page.click("#advanced summary")
    yaml_text = page.locator("#source")
    await page.wait_for_function(
        "() => document.getElementById('source').value.includes('daily_cap: 75')"
    )
    assert "Comments of earlier versions are not kept" in await yaml_text.input_value()

    edited = (await yaml_text.input_value()).replace("daily_cap: 75", "daily_cap: 90")
    await yaml_text.fill(edited)
    await page.click("#advanced summary")
    await page.locator("#result .ok").wait_for()
    assert await field(page, "points.daily_cap").input_value() == "90"

    await page.click("#advanced summary")
    await page.wait_for_function(
        "() => document.getElementById('source').value.includes('daily_cap: 90')"
    )
    await yaml_text.fill("points: {daily_cap: -1}")
    await page.click("#advanced summary")
    await page.locator("#result .problems li", has_text="daily_cap").wait_for()
    assert await page.locator("#advanced").get_attribute("open") is not None
    assert errors == []


async def test_a_yaml_edit_made_before_the_toggle_event_is_not_lost(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    browser: Browser,
) -> None:
    """The details element's toggle event is queued, so an edit can land before it fires (a
    fast typist, a slow machine). Closing the YAML must still apply the edit."""
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, signin_server.url, "Admin", next_path="/admin?lang=en")
    await page.locator("#content:not([hidden]) .rules-section").first.wait_for()

    await page.evaluate(
        """() => {
            const source = document.getElementById("source");
            document.getElementById("advanced").open = true;
            source.value = "points: {daily_cap: -1}";
            source.dispatchEvent(new Event("input"));
        }"""
    )
    await page.click("#advanced summary")
    await page.locator("#result .problems li", has_text="daily_cap").wait_for(timeout=10_000)
    assert await page.locator("#advanced").get_attribute("open") is not None
