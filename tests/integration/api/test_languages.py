"""Rule content in the reader's language (nl, en, fr) through the gateway, and the warnings
an admin gets for texts missing in a language."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.rulebook import default_rules, default_source
from shared.bus import publish
from shared.events import BadgeAwarded, CloudEvent
from shared.ids import pseudonym
from shared.people import Person
from shared.periods import today
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer, add_people, team_of
from tests.integration.api.tenant import Tenant
from tests.integration.api.test_admin_rules import add_signals, bearer
from tests.integration.api.test_live import read_events

OLD_STYLE = """
name: Stored before titles had languages
badges:
  - {type: first_use, id: first-word, title: First Copilot draft, app: word}
levels:
  - {level: 1, title: Curious, points: 0}
"""


def running_challenge(day: date, title: object) -> str:
    start, end = day - timedelta(days=2), day + timedelta(days=5)
    return f"""
language: nl
challenges:
  - id: winter
    title: {title}
    scope: team
    winners: 1
    start: {start.isoformat()}
    end: {end.isoformat()}
"""


async def test_validate_and_preview_warn_about_texts_missing_in_a_language(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))

    old = (
        await client.post("/api/admin/rules/validate", json={"source": OLD_STYLE}, headers=admin)
    ).json()
    full = (
        await client.post(
            "/api/admin/rules/validate", json={"source": default_source()}, headers=admin
        )
    ).json()
    preview = (
        await client.post("/api/admin/rules/preview", json={"source": OLD_STYLE}, headers=admin)
    ).json()

    assert old["ok"] is True and old["problems"] == []  # a gap is a warning, not an error
    assert {w["path"] for w in old["warnings"]} == {"badges.0.title", "levels.0.title"}
    assert "no English or French text; the Dutch one is shown instead" in {
        w["message"] for w in old["warnings"]
    }
    assert full["ok"] is True and full["warnings"] == []
    assert preview["warnings"] == old["warnings"]


async def test_an_unknown_language_is_a_clear_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    source = "levels:\n  - {level: 1, points: 0, title: {nl: Start, de: Anfang}}\n"

    answer = (
        await client.post("/api/admin/rules/validate", json={"source": source}, headers=admin)
    ).json()

    assert answer["ok"] is False
    assert answer["problems"] == [
        {"path": "levels.0.title", "message": "unknown language 'de': use nl, en or fr"}
    ]


async def test_my_profile_speaks_my_language(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    oid = "5e0c1a8e-2222-4333-8444-555566667777"
    me = pseudonym(oid, api_settings.pseudonym_key.get_secret_value())
    await add_people(engine, [Person(person=me, display_name="Inès", team="Bruxelles")])
    await add_signals(engine, me, [(0, "word"), (1, "word")], api_settings.tz)
    admin = bearer(tenant.token(roles=["Admin"]))
    published = await client.post(
        "/api/admin/rules", json={"source": default_source()}, headers=admin
    )
    assert published.status_code == 201
    token = bearer(tenant.token(oid=oid))

    french = (await client.get("/api/me?lang=fr", headers=token)).json()
    english = (await client.get("/api/me?lang=en", headers=token)).json()
    default = (await client.get("/api/me", headers=token)).json()

    def titles(profile: dict[str, Any]) -> tuple[str, str, str]:
        badges = {b["id"]: b["title"] for b in profile["badges"]}
        level = profile["level"]
        return badges["first-word"], level["title"], level["next_title"]

    assert titles(french) == ("Premier brouillon avec Copilot", "Curieux", "Explorateur")
    assert titles(english) == ("First Copilot draft", "Curious", "Explorer")
    assert titles(default) == ("Eerste ontwerptekst met Copilot", "Nieuwsgierig", "Ontdekker")
    rules = default_rules()
    named = {b.id: b.title for b in rules.badges} | {str(v.level): v.title for v in rules.levels}
    goals = french["next_goals"]
    assert goals and all(g["title"] == named[g["id"]].in_language("fr") for g in goals)
    tiers = [*(t.title for t in rules.tiers.tiers), rules.tiers.fallback]
    assert french["tier"]["title"] in {title.in_language("fr") for title in tiers}
    assert (await client.get("/api/me?lang=de", headers=token)).status_code == 422


async def test_the_challenge_title_and_its_rules_in_each_language(
    client: httpx.AsyncClient, tenant: Tenant, api_settings: ApiSettings
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    day = today(api_settings.tz)
    title = "{nl: Wintersprint, en: Winter sprint, fr: Sprint d'hiver}"
    source = running_challenge(day, title)
    assert (
        await client.post("/api/admin/rules", json={"source": source}, headers=admin)
    ).status_code == 201

    screen = {
        lang: (await client.get(f"/api/screen/challenge?lang={lang}")).json()
        for lang in ("nl", "en", "fr")
    }
    default = (await client.get("/api/screen/challenge")).json()
    [listed] = (await client.get("/api/challenges?lang=fr")).json()

    assert [screen[lang]["title"] for lang in ("nl", "en", "fr")] == [
        "Wintersprint",
        "Winter sprint",
        "Sprint d'hiver",
    ]
    assert default["title"] == "Wintersprint"  # API_DEFAULT_LANG is nl
    assert default["titles"] == {
        "nl": "Wintersprint",
        "en": "Winter sprint",
        "fr": "Sprint d'hiver",
    }
    assert listed["title"] == "Sprint d'hiver"
    words = listed["rules_in_words"]
    assert words.startswith("Du ") and "les équipes s'affrontent sur les points" in words
    assert "Le premier l'emporte. Les gagnants sont annoncés le " in words
    assert words.endswith("une fois arrivées les données d'utilisation tardives.")


async def test_a_rule_set_stored_with_plain_titles_still_shows_them_everywhere(
    client: httpx.AsyncClient, tenant: Tenant, api_settings: ApiSettings
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    source = running_challenge(today(api_settings.tz), "Most active team")
    assert (
        await client.post("/api/admin/rules", json={"source": source}, headers=admin)
    ).status_code == 201

    for lang in ("nl", "en", "fr"):
        body = (await client.get(f"/api/screen/challenge?lang={lang}")).json()
        assert body["title"] == "Most active team"


async def test_celebrations_carry_titles_per_language(
    live_server: LiveServer, js: JetStreamContext, engine: AsyncEngine
) -> None:
    await add_people(engine, team_of("Gamma", 5, opted=1))
    badge = BadgeAwarded(
        person="p-gamma-0",
        rule="badge.first-word",
        ruleset_version=1,
        activity_date=date(2026, 11, 26),
        team="Gamma",
        ledger_key="g-1",
        badge="first-word",
        title="Eerste ontwerptekst met Copilot",
        titles={"nl": "Eerste ontwerptekst met Copilot", "fr": "Premier brouillon avec Copilot"},
    )
    async with (
        httpx.AsyncClient(base_url=live_server.url, timeout=10) as http,
        http.stream("GET", "/api/live") as response,
    ):
        lines = response.aiter_lines()
        assert (await read_events(lines, 1))[0][0] == "hello"
        await publish(js, CloudEvent.wrap(badge, source="test"))
        async with asyncio.timeout(10):
            events = dict(await read_events(lines, 2))
        french = (await http.get("/api/screen/celebrations?lang=fr")).json()
        english = (await http.get("/api/screen/celebrations?lang=en")).json()
        default = (await http.get("/api/screen/celebrations")).json()

    assert events["celebration"]["title"] == "Eerste ontwerptekst met Copilot"
    assert events["celebration"]["titles"]["fr"] == "Premier brouillon avec Copilot"
    assert french[0]["title"] == "Premier brouillon avec Copilot"
    assert english[0]["title"] == "Eerste ontwerptekst met Copilot"  # no English: the rule set's
    assert default[0]["title"] == "Eerste ontwerptekst met Copilot"


async def test_the_pages_speak_french_on_request(client: httpx.AsyncClient) -> None:
    me = await client.get("/me?lang=fr")
    admin = await client.get("/admin?lang=fr")

    assert me.status_code == admin.status_code == 200
    assert '<html lang="fr">' in me.text and "Ma progression" in me.text
    assert 'hreflang="nl"' in me.text and 'aria-current="true">Français' in me.text
    assert '<html lang="fr">' in admin.text and "Règles du jeu" in admin.text
