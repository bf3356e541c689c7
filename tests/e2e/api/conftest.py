"""The gateway fixtures of the API integration tests, reused by the browser tests."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.integration.api.conftest import api_settings, live_server, tenant
from tests.integration.api.signin import sandbox, signin_server, signin_settings

__all__ = [
    "CHROMIUM",
    "SCREENSHOTS",
    "api_settings",
    "browser",
    "live_server",
    "needs_chromium",
    "sandbox",
    "sign_in",
    "signin_server",
    "signin_settings",
    "tenant",
]

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

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)",
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


async def sign_in(page: Page, base_url: str, who: str = "Admin", *, next_path: str = "/me") -> None:
    """Sign ``page`` in to the gateway at ``base_url`` through the sandbox tenant's picker.

    ``who`` is a person's display name or user principal name, or an app role
    (``"Admin"``, ``"Insights.Read"``: the first person holding it). The page ends on
    ``next_path`` with a session cookie. Use with the ``signin_server`` fixture (a
    gateway that signs in with the ``sandbox`` fixture's tenant).
    """
    await page.goto(f"{base_url}/auth/signin?next={quote(next_path)}")
    await page.locator("form.search input[name=q]").fill(who)
    await page.locator("form.search button[type=submit]").click()
    role = re.compile(f"^{re.escape(who)}$", re.IGNORECASE)
    people = page.locator("form.people button[name=person]")
    by_role = people.filter(has=page.locator(".role", has_text=role))
    choice = by_role if await by_role.count() else people.filter(has_text=who)
    await choice.first.click()
    await page.wait_for_url(f"{base_url}{next_path}")
