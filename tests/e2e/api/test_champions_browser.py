"""The champions programme in Chromium, signed in through the sandbox tenant: a colleague
applies, an admin approves, the champion plans an event and shows its code, an attendee
checks in from the QR code's address and sees the points."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.sandbox.testing import SandboxHandle
from services.scoring.store.tables import StoredSignal
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import SCREENSHOTS, needs_chromium, sign_in
from tests.integration.api.champion_world import grants
from tests.integration.api.conftest import LiveServer, add_people
from tests.integration.api.signin import SandboxPerson, sandbox_person

pytestmark = [pytest.mark.e2e, needs_chromium]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


# A minute ago as a datetime-local value, in the browser's own time zone.
LOCAL_MINUTE_AGO = """() => {
  const d = new Date(Date.now() - 60000);
  const p = (n) => String(n).padStart(2, "0");
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day}T${p(d.getHours())}:${p(d.getMinutes())}`;
}"""


async def directory(
    sandbox: SandboxHandle, engine: AsyncEngine, settings: ApiSettings
) -> list[SandboxPerson]:
    """The sandbox's people in the gateway's directory (as ingest would put them), a week of
    usage for half of them; the people without roles, Sales first."""
    people = [p for p in sandbox.people(limit=500) if p["present"]]
    found = [sandbox_person(sandbox, p["userPrincipalName"]) for p in people]
    await add_people(
        engine,
        [
            Person(
                person=p.pseudonym(settings),
                display_name=p.name,
                department=p.department,
                team=raw["team"],
                opted_in=True,
            )
            for p, raw in zip(found, people, strict=True)
        ],
    )
    day = today(settings.tz)
    async with AsyncSession(engine) as session:
        for number, p in enumerate(found):
            for back in range(0, 21, 3 + number % 4):
                active = day - timedelta(days=back)
                session.add(
                    StoredSignal(
                        person=p.pseudonym(settings),
                        event_id=uuid.uuid4().hex,
                        app=("word", "excel", "teams", "outlook")[number % 4],
                        kind="active_day",
                        day=active,
                        at=datetime.combine(active, datetime.min.time(), UTC),
                        source="usage_report",
                    )
                )
        await session.commit()
    plain = [p for p in found if not p.roles]
    return sorted(plain, key=lambda p: p.department != "Sales")


async def signed_in(browser: Browser, url: str, who: str, path: str) -> tuple[Page, list[str]]:
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
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


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"champions-{name}.png"), full_page=False)


async def test_apply_approve_plan_check_in_and_see_the_points(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    signin_settings: ApiSettings,
    browser: Browser,
    engine: AsyncEngine,
) -> None:
    people = await directory(sandbox, engine, signin_settings)
    champion = people[0]
    attendee = next(p for p in people if p.department != champion.department)
    url = signin_server.url

    # A colleague applies to champion their own department.
    host, host_problems = await signed_in(browser, url, champion.name, "/champions?lang=en")
    assert await host.locator("#champion").is_hidden()
    own = host.locator(f"#apply-departments input[value='{champion.department}']")
    assert await own.is_checked()
    await host.locator("#apply-apps input[value=excel]").check()
    await host.locator("#apply-motivation").fill("I run our team's Excel clinic.")
    await host.get_by_role("button", name="Apply as champion").click()
    await host.get_by_text("Your application is waiting for an admin.").wait_for()
    await shot(host, "1-applied")

    # An admin approves it from the queue.
    admin, admin_problems = await signed_in(browser, url, "Admin", "/champions?lang=en")
    queue = admin.locator("#queue-champions li", has_text=champion.name)
    await queue.wait_for()
    assert "I run our team's Excel clinic." in await queue.inner_text()
    await shot(admin, "2-admin-queue")
    await queue.get_by_role("button", name="Approve").click()
    await admin.locator("#queue-champions", has_text="Nothing waiting.").wait_for()

    # The champion sees their department and plans an event that runs now.
    await host.reload()
    await host.wait_for_selector("body[data-ready=true]")
    await host.locator("#champion").wait_for()
    await host.get_by_text(f"You are a champion of {champion.department}.").wait_for()
    department = host.locator("#dashboard .department").first
    await department.locator(".bar-row").first.wait_for()
    starts = await host.evaluate(LOCAL_MINUTE_AGO)
    await host.locator("#event-title").fill("Lunch & learn: Copilot in Excel")
    await host.locator("#event-format").select_option("lunch_and_learn")
    await host.locator("#event-starts").fill(starts)
    await host.locator("#event-minutes").fill("60")
    await host.locator("#event-location").fill("Room 3.12")
    await host.locator("#event-form button[type=submit]").click()
    mine = host.locator("#my-events li", has_text="Lunch & learn: Copilot in Excel")
    await mine.wait_for()
    await mine.get_by_role("button", name="Show check-in code").click()
    await host.locator("#code-panel").wait_for()
    code = (await host.locator("#code-value").inner_text()).strip()
    assert len(code) == 6
    qr = await host.locator("#code-qr").get_attribute("src")
    assert qr is not None and qr.startswith("data:image/svg+xml")
    checkin_url = await host.locator("#code-qr").get_attribute("alt")
    assert checkin_url is not None and f"code={code}" in checkin_url
    await host.locator("#code-panel").scroll_into_view_if_needed()
    await shot(host, "3-champion-code")

    # An attendee follows the QR code's address: event and code are filled in.
    path = checkin_url.removeprefix(url) + "&lang=en"
    attendee_page, attendee_problems = await signed_in(browser, url, attendee.name, path)
    assert await attendee_page.locator("#checkin-code").input_value() == code
    await attendee_page.get_by_role("button", name="Check in", exact=True).click()
    result = attendee_page.locator("#checkin-result")
    await result.get_by_text("+20 points").wait_for()
    await attendee_page.locator("#attended li", has_text="Lunch & learn").wait_for()
    await shot(attendee_page, "4-checked-in")

    # The attendee reports a training they gave; the admin approves it with 70 points.
    await attendee_page.locator("#activity-kind").select_option("training_given")
    await attendee_page.locator("#activity-title").fill("Copilot 101 for the service desk")
    await attendee_page.locator("#activity-form button[type=submit]").click()
    await attendee_page.locator("#activity-list li", has_text="waiting for approval").wait_for()
    await admin.reload()
    await admin.wait_for_selector("body[data-ready=true]")
    waiting = admin.locator("#queue-activities li", has_text="Copilot 101 for the service desk")
    await waiting.wait_for()
    assert attendee.name in await waiting.inner_text()
    await waiting.locator("input.points").fill("70")
    await shot(admin, "6-admin-activity")
    await waiting.get_by_role("button", name="Approve").click()
    await admin.locator("#queue-activities", has_text="Nothing waiting.").wait_for()
    await attendee_page.reload()
    await attendee_page.wait_for_selector("body[data-ready=true]")
    approved = attendee_page.locator("#activity-list li", has_text="approved")
    await approved.get_by_text("+70 points").wait_for()
    await approved.scroll_into_view_if_needed()
    await shot(attendee_page, "7-activity-approved")

    # The host sees their attendee; the ledger has every grant.
    await host.reload()
    await host.wait_for_selector("body[data-ready=true]")
    await host.locator("#my-events li", has_text="1 attendees").wait_for()
    paid = await grants(engine)
    assert sorted((kind, points) for _, kind, points, _ in paid.values()) == [
        ("activity", 70),
        ("event_attended", 20),
        ("event_hosted", 40),
    ]
    await host.locator("#help").scroll_into_view_if_needed()
    await shot(host, "5-champion-after")

    # The same page in Dutch and French.
    for lang, heading in (("nl", "Wie kan me helpen?"), ("fr", "Qui peut m'aider\u00a0?")):
        await attendee_page.goto(f"{url}/champions?lang={lang}")
        await attendee_page.wait_for_selector("body[data-ready=true]")
        assert await attendee_page.locator("#help-title").inner_text() == heading
        await shot(attendee_page, f"8-{lang}")

    for page in (host, admin, attendee_page):
        assert await violations(page) == []
    assert host_problems == admin_problems == attendee_problems == []
