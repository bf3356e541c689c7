"""The office screen in headless Chromium: it shows the board and changes live on an award."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI
from nats.js import JetStreamContext
from playwright.async_api import Browser, Page
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools.servers import free_port
from services.api.app import create_app
from services.sandbox.testing import SandboxHandle
from services.scoring import admin as rules_admin
from services.scoring.rulebook import default_source
from shared.bus import publish
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.conftest import (
    LiveServer,
    add_people,
    put_scores,
    team_of,
    wait_for_bus,
)
from tests.integration.api.signin import sandbox_person
from tests.integration.api.tenant import AUDIENCE, ISSUER, Tenant

pytestmark = [pytest.mark.e2e, needs_chromium]


@pytest.fixture
def api_settings(
    redis_url: str,
    nats_url: str,
    database_url: str,
    engine: AsyncEngine,
    tenant: Tenant,
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
        api_auth_issuer=ISSUER,
        api_auth_audience=AUDIENCE,
        api_auth_jwks_uri=tenant.jwks_uri,
    )


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
        "() => document.querySelector('ol.board[data-scope=teams] li.row')?.dataset.label"
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


async def test_employee_and_admin_pages_work_after_signing_in(
    signin_server: LiveServer,
    sandbox: SandboxHandle,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    signin_settings: ApiSettings,
) -> None:
    admin = sandbox_person(sandbox, "Admin")
    me = admin.pseudonym(signin_settings)
    await add_people(engine, [Person(person=me, display_name="Eva Claes", team="Finance Gent")])
    week = period_key(Window.WEEK, today(signin_settings.tz))
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, {"p-a": 90, me: 60, "p-b": 30})
    async with httpx.AsyncClient(base_url=signin_server.url) as http:
        published = await http.post(
            "/api/admin/rules",
            json={"source": default_source()},
            headers={"Authorization": f"Bearer {sandbox.user_token(roles=['Admin'])}"},
        )
        assert published.status_code == 201

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, signin_server.url, "Admin", next_path="/me?lang=en")
    await page.locator("#content:not([hidden])").wait_for()
    mine = page.locator("#neighbours tr.me")
    await mine.wait_for()
    assert "Colleague #2 (you)" in await mine.inner_text()
    assert "#2" in await page.locator("#figures").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "me.png"), full_page=True)

    await page.goto(f"{signin_server.url}/admin?lang=en")
    await page.locator("#content:not([hidden])").wait_for()
    assert "daily_cap" in await page.locator("#source").input_value()
    await page.click("#validate")
    await page.locator("#result .ok").wait_for()
    await page.click("#advanced summary")  # the YAML sits under "Advanced"
    await page.fill("#source", "points: {daily_cap: -1}")
    await page.click("#validate")
    await page.locator("#result .problems li").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "admin.png"), full_page=True)


async def test_every_screen_view_renders(
    live_server: LiveServer,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
    api_settings: ApiSettings,
) -> None:
    day = today(api_settings.tz)
    rules = yaml.safe_load(default_source())
    for challenge in rules["challenges"]:
        challenge["start"] = (day - timedelta(days=3)).isoformat()
        challenge["end"] = (day + timedelta(days=4)).isoformat()
    await rules_admin.publish(engine, None, yaml.safe_dump(rules), api_settings.tz)
    await add_people(
        engine,
        [
            *team_of("Finance Gent", 6, department="Finance", opted=2),
            *team_of("Sales Antwerpen", 8, department="Sales", opted=1),
        ],
    )
    people = {f"p-finance gent-{i}": 10 + 7 * i for i in range(6)} | {
        f"p-sales antwerpen-{i}": 5 + 3 * i for i in range(4)
    }
    for window in (Window.DAY, Window.WEEK, Window.MONTH):
        period = period_key(window, day)
        await put_scores(redis, Scope.PEOPLE, window, period, people)
        await put_scores(
            redis, Scope.TEAMS, window, period, {"Finance Gent": 21.5, "Sales Antwerpen": 9.25}
        )
    await put_scores(
        redis,
        Scope.TEAMS,
        Window.CHALLENGE,
        "december-teams",
        {"Finance Gent": 83.33, "Sales Antwerpen": 50},  # active_rate: percent active
    )
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await page.goto(f"{live_server.url}/screen?view=teams&rotate=false")
    await page.locator("#live[data-state=open]").wait_for()
    badge = BadgeAwarded(
        person="p-finance gent-1",
        rule="habit",
        ruleset_version=1,
        activity_date=day,
        team="Finance Gent",
        ledger_key="b-views",
        badge="habit",
        title="Copilot-gewoonte",
    )
    await publish(js, CloudEvent.wrap(badge, source="test"))
    await page.locator("#toast:not([hidden])").wait_for(timeout=15_000)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for view, marker in [
        ("people", "ol.board li.row"),
        ("rising", "ol.board li.row"),
        ("challenge", ".countdown"),
        ("adoption", ".meter .big"),
        ("badges", "ol.board li.row"),
    ]:
        await page.goto(f"{live_server.url}/screen?view={view}&rotate=false")
        await page.locator(marker).first.wait_for(timeout=15_000)
        assert await page.evaluate("document.body.dataset.view") == view
        await page.screenshot(path=str(SCREENSHOTS / f"screen-{view}.png"))
        if view == "challenge":
            values = await page.locator("ol.board li.row .value").all_inner_texts()
            assert [v.replace("\u00a0", "") for v in values] == ["83%", "50%"]


async def test_screen_reconnects_after_the_gateway_comes_back(
    api_settings: ApiSettings,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
) -> None:
    await add_people(engine, [*team_of("Alpha", 5), *team_of("Beta", 5)])
    month = period_key(Window.MONTH, today(api_settings.tz))
    await put_scores(redis, Scope.TEAMS, Window.MONTH, month, {"Alpha": 2, "Beta": 1})
    port = free_port()

    apps: list[FastAPI] = []

    def gateway() -> uvicorn.Server:
        apps.append(create_app(api_settings))
        config = uvicorn.Config(apps[-1], host="127.0.0.1", port=port, log_config=None)
        return uvicorn.Server(config)

    async def started(server: uvicorn.Server) -> asyncio.Task[None]:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        return task

    first = gateway()
    task = await started(first)
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await page.goto(f"http://127.0.0.1:{port}/screen?rotate=false")
    await page.locator("#live[data-state=open]").wait_for()

    first.should_exit = True  # the network goes away
    await task
    await page.locator("#live[data-state=connecting]").wait_for(timeout=15_000)

    second = gateway()
    task = await started(second)
    try:
        await page.locator("#live[data-state=open]").wait_for(timeout=20_000)
        await wait_for_bus(apps[-1])
        await put_scores(redis, Scope.TEAMS, Window.MONTH, month, {"Beta": 3})
        await publish(js, points_for("p-beta-0", "Beta", "k-after-reconnect"))
        await page.wait_for_function(
            "() => document.querySelector('ol.board[data-scope=teams] li.row')?.dataset.label"
            " === 'Beta'",
            timeout=15_000,
        )
    finally:
        second.should_exit = True
        await task
