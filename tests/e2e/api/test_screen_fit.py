"""Every view of the office screen fits a 1920x1080, a 1280x720 and a 3840x2160 screen, in
every language, with full lists and with very long names and stories, also beside a
champion event's check-in code: nothing beyond the edges, nothing overlapping, text large
enough to read across the room, long text ends in an ellipsis."""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import get_args

import httpx
import pytest
import yaml
from nats.js import JetStreamContext
from playwright.async_api import Browser, Page
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.i18n import Lang
from services.api.routers.screen import ScreenView
from services.scoring import admin as rules_admin
from services.scoring.rulebook import default_source
from shared.bus import publish
from shared.events import AwardBase, BadgeAwarded, ChallengeCompleted, CloudEvent, LevelReached
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.e2e.api.conftest import needs_chromium
from tests.e2e.api.screen_community import (
    StorySeed,
    add_kudos,
    add_stories,
    display_token,
    running_event,
)
from tests.integration.api.conftest import LiveServer, add_people, put_scores

pytestmark = [pytest.mark.e2e, needs_chromium]

SIZES = [(1920, 1080), (1280, 720), (3840, 2160)]
LANGS: tuple[str, ...] = get_args(Lang)
VIEWS: tuple[str, ...] = get_args(ScreenView)
# Text below 2.5% of the screen's height (27 px on a 1080p screen) is hard to read from
# a few metres away.
MIN_TEXT_SHARE = 0.025
LAYOUT = (Path(__file__).parent / "screen_layout.js").read_text()
# On a 16:9 screen a full board of ten fits, beside the challenge's name and clock too
# (rising stars shows the day's top five); celebrations show as many as fit.
ROWS_THAT_FIT = {"teams": 10, "people": 10, "challenge": 10, "rising": 5}
SCREENSHOT_ENV = "SCREENSHOT_DIR"
CHALLENGE = "december-teams"
LANGUAGE_NAMES = ("nl", "en", "fr", "de")
BADGES = ["first-teams", "first-word", "explorer-3", "streak-5", "habit", "prompts-100"]


@dataclass(frozen=True)
class Scenario:
    """What the screen shows: ten teams, people and celebrations, and a running challenge."""

    name: str
    teams: list[str]
    people: list[str]
    challenge: str
    badge: str
    level: str
    points: float
    story: str
    kudos_message: str
    event: str


FIRST_NAMES = [
    "Marie-Christine",
    "Jean-Baptiste",
    "Anne-Sophie",
    "Pieter-Jan",
    "Marie-Charlotte",
    "Jan-Willem",
    "Anne-Catherine",
    "Louis-Philippe",
    "Marie-Josephine",
    "Karel-Frederik",
]
SURNAMES = [
    "Vandenbroucke-Van Den Eynde de Liedekerke-Beaufort",
    "Van Der Straeten-Ponthoz de Merode-Westerloo-d'Hoogvorst",
]
LONG = Scenario(
    name="long",
    teams=[
        "Klantenrelaties, Communicatie en Digitale Werkplek Oost-Vla.",
        "Aankoop, Logistiek en Duurzame Bevoorrading, Regio Antwerpen",
        "Personeelszaken, Welzijn en Talentontwikkeling Vlaams-Brabant",
        "Financiele Planning, Controlling en Rapportering Hoofdkantoor",
        "Informatica, Infrastructuur en Cyberveiligheid Datacenter Gent",
        "Juridische Dienst, Compliance en Gegevensbescherming Brussel",
        "Marketing, Merkbeleving en Evenementen Provincie Limburg Zuid",
        "Onderzoek, Ontwikkeling en Innovatie, Campus Leuven-Heverlee",
        "Facilitair Beheer, Gebouwen en Mobiliteit Regio Kortrijk-West",
        "Verkoop Binnendienst, Offertes en Klantenservice West-Vlaanderen",
    ],
    people=[f"{first} {SURNAMES[i % 2]}" for i, first in enumerate(FIRST_NAMES)],
    challenge=(
        "Het meest actieve team van december: wie gebruikt Copilot elke werkdag in Teams, "
        "Word, Excel, PowerPoint en Outlook?"
    ),
    badge="Eerste samenvatting van een Teams-vergadering met Copilot gemaakt en gedeeld",
    level="Copilot-kampioen van de hele organisatie en ver daarbuiten",
    points=98_765.5,
    story=(
        "Elke maandag schreef ik het weekverslag voor drie teams met de hand, op basis van"
        " tientallen mails, vergaderverslagen en Excel-bestanden. Nu vraag ik Copilot in Teams"
        " om de belangrijkste beslissingen, openstaande vragen en actiepunten per persoon op te"
        " lijsten, en in Word maak ik er met één prompt een leesbaar verslag van. Ik controleer"
        " nog alles en voeg de context toe die alleen ik ken, maar het schrijven zelf kost me"
        " geen halve dag meer. Mijn collega's lezen het verslag nu ook echt, omdat het korter"
        " en duidelijker is geworden, en ze stellen er vragen over!"
    )[:600],
    kudos_message=(
        "Dankzij jouw sjabloon voor vergaderverslagen met Copilot besparen we elke week uren;"
        " iedereen in de afdeling gebruikt het nu en de actiepunten worden eindelijk opgevolgd."
        " Bedankt om het zo geduldig uit te leggen tijdens de lunchsessie van vorige donderdag!"
    )[:280],
    event="Lunch & learn: Copilot in Excel voor financiële rapportering en budgetopvolging",
)
assert min(len(name) for name in LONG.teams + LONG.people) >= 60
ORDINARY = Scenario(
    name="ordinary",
    teams=[
        "Finance Gent",
        "Sales Antwerpen",
        "HR Leuven",
        "IT Brussel",
        "Marketing Mechelen",
        "Juridische Dienst",
        "Logistiek Kortrijk",
        "Aankoop Hasselt",
        "Klantendienst Brugge",
        "Communicatie",
    ],
    people=[
        "Eva Claes",
        "Lucas Peeters",
        "Emma Janssens",
        "Noah Maes",
        "Louise Jacobs",
        "Arthur Willems",
        "Olivia Mertens",
        "Jules Goossens",
        "Mila Wouters",
        "Victor De Smet",
    ],
    challenge="Most active team in December",
    badge="First Copilot meeting recap",
    level="Champion",
    points=412,
    story="Copilot turned an hour of meeting notes into a clear recap with action items.",
    kudos_message="Thanks for the prompt tips!",
    event="Lunch & learn",
)


def people_of(scenario: Scenario) -> list[Person]:
    """Five licensed members per team (the smallest team shown); the first one opted in."""
    return [
        Person(
            person=f"p-{t}-{m}",
            display_name=scenario.people[t] if m == 0 else f"Colleague {t}-{m}",
            team=team,
            department=f"Department {t % 3}",
            opted_in=m == 0,
        )
        for t, team in enumerate(scenario.teams)
        for m in range(5)
    ]


def plain(value: object) -> object:
    """The rule set with every text as one plain string, a form every reader accepts."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGE_NAMES):
            return next(iter(value.values()))
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


async def publish_rules(engine: AsyncEngine, scenario: Scenario, settings: ApiSettings) -> None:
    day = today(settings.tz)
    rules = plain(yaml.safe_load(default_source()))
    assert isinstance(rules, dict)
    for challenge in rules["challenges"]:
        running = challenge["id"] == CHALLENGE
        challenge["start"] = (day - timedelta(days=3 if running else 30)).isoformat()
        challenge["end"] = (
            day + timedelta(days=4) if running else day - timedelta(days=1)
        ).isoformat()
        if running:
            challenge["title"] = scenario.challenge
    for badge in rules["badges"]:
        if badge["id"] in BADGES:
            badge["title"] = scenario.badge
    await rules_admin.publish(engine, None, yaml.safe_dump(rules), settings.tz)


async def fill_boards(redis: Redis, scenario: Scenario, settings: ApiSettings) -> None:
    day = today(settings.tz)
    ranked = range(len(scenario.teams))
    teams = {
        team: scenario.points / (i + 1) for i, team in zip(ranked, scenario.teams, strict=True)
    }
    # The top ten people alternate named (opted in) and anonymous colleagues.
    people = {f"p-{i}-{0 if i % 2 == 0 else 1}": scenario.points / (i + 2) for i in ranked}
    for window in (Window.DAY, Window.WEEK, Window.MONTH, Window.ALL):
        period = period_key(window, day)
        await put_scores(redis, Scope.TEAMS, window, period, teams)
        await put_scores(redis, Scope.PEOPLE, window, period, people)
    # active_rate, as scoring keeps it: percent of licensed members active
    rates = {team: 100 - 5 * i for i, team in zip(ranked, scenario.teams, strict=True)}
    await put_scores(redis, Scope.TEAMS, Window.CHALLENGE, CHALLENGE, rates)


def celebration(scenario: Scenario, i: int) -> AwardBase:
    """Badges mostly, a level and a challenge won now and then, by opted-in people."""
    t = i % len(scenario.teams)
    award = BadgeAwarded(
        person=f"p-{t}-0",
        rule="screen",
        ruleset_version=1,
        activity_date=date.today(),
        team=scenario.teams[t],
        ledger_key=f"{scenario.name}-{i}",
        badge=BADGES[i % len(BADGES)],
        title=scenario.badge,
    )
    common = award.model_dump(include=set(AwardBase.model_fields))
    if i % 5 == 3:
        return LevelReached(**common, level=5, title=scenario.level)
    if i % 5 == 4:
        return ChallengeCompleted(
            **common,
            challenge=CHALLENGE,
            title=scenario.challenge,
            scope="team",
            winner=scenario.teams[t],
            rank=1,
            value=0.95,
        )
    return award


def thankful(scenario: Scenario) -> list[Person]:
    """Colleagues who all opted in, in a team and department of their own (so every one of
    them may be named): the scenario's people names, in reverse."""
    return [
        Person(
            person=f"p-thanks-{i}",
            display_name=name,
            team="Thanks",
            department="Thanks",
            opted_in=True,
        )
        for i, name in enumerate(reversed(scenario.people))
    ]


async def tell_stories(engine: AsyncEngine, scenario: Scenario) -> None:
    """Three approved stories (the latest by a named author) and ten kudos, half of them
    between named colleagues (with their message), half between unnamed ones."""
    await add_people(engine, thankful(scenario))
    await add_stories(
        engine,
        [
            StorySeed("p-1-1", "word", 20, scenario.story[:120], "Department 1"),
            StorySeed("p-2-2", "excel", 15, scenario.story, None, "excel-formula-help"),
            StorySeed(
                "p-0-0", "teams", 480, scenario.story, "Department 0", "teams-meeting-recap", True
            ),
        ],
    )
    values = ["helpful", "creative", "time_saver", "team_player", "brave_first"]
    named = [(f"p-thanks-{i}", f"p-thanks-{(i + 1) % 10}") for i in range(5)]
    unnamed = [(f"p-{i}-1", f"p-{i + 1}-2") for i in range(5)]
    await add_kudos(
        engine,
        [
            (giver, receiver, values[i % 5], scenario.kudos_message)
            for i, (giver, receiver) in enumerate(unnamed + named)
        ],
    )


async def celebrate(js: JetStreamContext, live_server: LiveServer, awards: list[AwardBase]) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        before = len((await http.get("/api/screen/celebrations")).json())
        for award in awards:
            await publish(js, CloudEvent.wrap(award, source="test"))
        expected = min(12, before + len(awards))
        async with asyncio.timeout(15):
            while len((await http.get("/api/screen/celebrations")).json()) < expected:
                await asyncio.sleep(0.05)


async def open_screen(browser: Browser, width: int, height: int, errors: list[str]) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": height})
    page.on("pageerror", lambda error: errors.append(f"{width}x{height}: {error}"))
    return page


async def show(page: Page, url: str, view: str) -> None:
    await page.goto(url)
    # A function, not an expression: the page's policy forbids evaluating strings.
    await page.wait_for_function(f"() => document.body.dataset.view === {view!r}", timeout=15_000)


async def problems(page: Page) -> list[str]:
    found: list[str] = await page.evaluate(LAYOUT, MIN_TEXT_SHARE)
    return found


@pytest.mark.parametrize("scenario", [ORDINARY, LONG], ids=lambda s: s.name)
async def test_every_view_fits_the_screen(
    scenario: Scenario,
    live_server: LiveServer,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
    api_settings: ApiSettings,
    request: pytest.FixtureRequest,
) -> None:
    await publish_rules(engine, scenario, api_settings)
    await add_people(engine, people_of(scenario))
    await fill_boards(redis, scenario, api_settings)
    await tell_stories(engine, scenario)
    await celebrate(js, live_server, [celebration(scenario, i) for i in range(10)])
    screenshots = shots_dir(request)

    found: list[str] = []
    errors: list[str] = []
    short: list[str] = []
    for lang in LANGS:
        for width, height in SIZES:
            page = await open_screen(browser, width, height, errors)
            for view in VIEWS:
                url = f"{live_server.url}/screen?view={view}&rotate=false&lang={lang}"
                await show(page, url, view)
                where = f"{view} {lang} {width}x{height}"
                found += [f"{where}: {problem}" for problem in await problems(page)]
                rows = await page.locator("#stage li").count()
                if rows < ROWS_THAT_FIT.get(view, 0):
                    short.append(f"{where}: {rows} rows")
                if screenshots:
                    path = screenshots / f"{scenario.name}-{lang}-{width}x{height}-{view}.png"
                    await page.screenshot(path=str(path))
            await page.close()
    assert errors == []
    assert found == [], "\n".join(found)
    assert short == []


async def test_a_celebration_does_not_cover_the_board(
    live_server: LiveServer,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
    api_settings: ApiSettings,
    request: pytest.FixtureRequest,
) -> None:
    await add_people(engine, people_of(LONG))
    await fill_boards(redis, LONG, api_settings)
    screenshots = shots_dir(request)
    numbers = itertools.count()
    found: list[str] = []
    errors: list[str] = []
    for lang in LANGS:
        for width, height in SIZES:
            page = await open_screen(browser, width, height, errors)
            await show(
                page, f"{live_server.url}/screen?view=teams&rotate=false&lang={lang}", "teams"
            )
            await page.locator("#live[data-state=open]").wait_for()
            award = celebration(LONG, next(numbers))
            await publish(js, CloudEvent.wrap(award, source="test"))
            await page.locator("#toast:not([hidden])").wait_for(timeout=15_000)
            found += [f"toast {lang} {width}x{height}: {p}" for p in await problems(page)]
            if screenshots:
                await page.screenshot(path=str(screenshots / f"toast-{lang}-{width}x{height}.png"))
            await page.close()
    assert errors == []
    assert found == [], "\n".join(found)


async def test_every_view_fits_beside_a_check_in_code(
    live_server: LiveServer,
    browser: Browser,
    redis: Redis,
    engine: AsyncEngine,
    js: JetStreamContext,
    api_settings: ApiSettings,
    request: pytest.FixtureRequest,
) -> None:
    await publish_rules(engine, LONG, api_settings)
    await add_people(engine, people_of(LONG))
    await fill_boards(redis, LONG, api_settings)
    await tell_stories(engine, LONG)
    await celebrate(js, live_server, [celebration(LONG, i) for i in range(10)])
    screen, token = await display_token(live_server.app)
    await running_event(
        engine, screen, LONG.event, "Auditorium Vlaams-Brabant, gebouw C, 3de verdieping"
    )
    screenshots = shots_dir(request)

    found: list[str] = []
    errors: list[str] = []
    for lang in LANGS:
        for width, height in SIZES[:2]:
            page = await open_screen(browser, width, height, errors)
            for view in VIEWS:
                url = f"{live_server.url}/screen?view={view}&rotate=false&lang={lang}&token={token}"
                await show(page, url, view)
                await page.locator("#checkin:not([hidden]) #checkin-code").wait_for()
                # the view laid out again once the panel took its place
                await page.wait_for_function(
                    "() => document.body.dataset.fitted === 'checkin'", timeout=15_000
                )
                where = f"{view} {lang} {width}x{height} with check-in"
                found += [f"{where}: {problem}" for problem in await problems(page)]
                if screenshots:
                    path = screenshots / f"checkin-{lang}-{width}x{height}-{view}.png"
                    await page.screenshot(path=str(path))
            await page.close()
    assert errors == []
    assert found == [], "\n".join(found)


def shots_dir(request: pytest.FixtureRequest) -> Path | None:
    """Screenshots of every view when SCREENSHOT_DIR is set (to look at them, not to compare)."""
    folder = os.environ.get(SCREENSHOT_ENV)
    if not folder:
        return None
    path = (
        Path(folder) / request.node.callspec.id
        if hasattr(request.node, "callspec")
        else Path(folder)
    )
    path.mkdir(parents=True, exist_ok=True)
    return path
