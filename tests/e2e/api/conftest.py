"""The gateway fixtures of the API integration tests, reused by the browser tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.integration.api.conftest import api_settings, live_server, tenant

__all__ = [
    "CHROMIUM",
    "SCREENSHOTS",
    "api_settings",
    "browser",
    "live_server",
    "needs_chromium",
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
