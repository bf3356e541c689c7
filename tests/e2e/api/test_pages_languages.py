"""The employee and admin pages in French, in a browser: rule titles in French, and the
admin told which texts a rule set lacks in a language."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sandbox.testing import SandboxHandle
from services.scoring.rulebook import default_source
from shared.people import Person
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import LiveServer, add_people
from tests.integration.api.signin import sandbox_person
from tests.integration.api.test_admin_rules import add_signals

pytestmark = [pytest.mark.e2e, needs_chromium]

PLAIN = "levels:\n  - {level: 1, title: Curious, points: 0}\n"


async def test_my_page_and_the_admin_page_in_french(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    me = sandbox_person(sandbox, "Admin").pseudonym(signin_settings)
    await add_people(engine, [Person(person=me, display_name="Inès", team="Bruxelles")])
    await add_signals(engine, me, [(0, "word"), (1, "excel")], signin_settings.tz)
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        published = await http.post(
            "/api/admin/rules",
            json={"source": default_source()},
            headers={"Authorization": f"Bearer {sandbox.user_token(roles=['Admin'])}"},
        )
        assert published.status_code == 201

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, signin_server.url, "Admin", next_path="/me?lang=fr")
    await page.locator("#badges li").first.wait_for()
    badges = await page.locator("#badges").inner_text()
    assert "Premier brouillon avec Copilot" in badges and "Première analyse avec Copilot" in badges
    assert "Curieux" in await page.locator("#figures").inner_text()
    assert "Mes voisins de classement cette semaine" in await page.locator("#content").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "me-fr.png"), full_page=True)

    await page.goto(f"{signin_server.url}/admin?lang=fr")
    await page.locator("#content:not([hidden])").wait_for()
    await page.click("#advanced summary")  # the YAML sits under "Advanced"
    await page.fill("#source", PLAIN)
    await page.click("#validate")
    await page.locator("#result .ok").wait_for()
    assert await page.locator("#result .ok").inner_text() == "Les règles sont valides."
    warnings = await page.locator("#result .warnings li").all_inner_texts()
    assert warnings == ["levels.0.title: no English or French text; the Dutch one is shown instead"]
    assert await page.locator("#result .problems").count() == 0
    await page.screenshot(path=str(SCREENSHOTS / "admin-fr.png"), full_page=True)
