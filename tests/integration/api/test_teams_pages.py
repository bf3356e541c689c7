"""What the Teams app's tabs load from the gateway: the set-up page (framed by Teams), the
sign-in pop-up's last page (framed by nobody), the list of groups to choose from, and the
screen started on one team's or department's board."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.api.conftest import add_people, team_of
from tests.integration.api.test_security_headers import TEAMS_HOSTS, directives


def config_of(html: str, element: str) -> dict[str, object]:
    found = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    parsed: dict[str, object] = json.loads(found.group(1))
    return parsed


async def test_the_set_up_page_may_be_framed_by_teams_and_runs_no_inline_code(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/teams/config?lang=fr")
    assert page.status_code == 200
    policy = directives(page.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'self'", *TEAMS_HOSTS]
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert "x-frame-options" not in page.headers
    html = page.text
    assert '<html lang="fr">' in html and "Quelle équipe\u00a0?" in html
    assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert src.startswith("/static/"), src
        assert (await client.get(src)).status_code == 200, src
    config = config_of(html, "teams-config")
    assert config["publicUrl"] == "http://api.test"
    assert config["lang"] == "fr"


async def test_the_pop_ups_last_page_is_framed_by_nobody(client: httpx.AsyncClient) -> None:
    page = await client.get("/teams/auth-end?lang=nl&challenge=abc")
    assert page.status_code == 200
    assert directives(page.headers["content-security-policy"])["frame-ancestors"] == ["'none'"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "Aanmelden bij Uptake" in page.text


async def test_the_library_and_its_licence_are_served_from_the_gateway(
    client: httpx.AsyncClient,
) -> None:
    library = await client.get("/static/vendor/teams-js/MicrosoftTeams.min.js")
    assert library.status_code == 200
    assert "microsoftTeams" in library.text[:400]
    licence = await client.get("/static/vendor/teams-js/LICENSE")
    assert "MIT License" in licence.text
    me = await client.get("/me")
    assert '<script src="/static/teams.js">' in me.text
    assert "MicrosoftTeams.min.js" not in me.text  # teams.js loads it inside Teams only


async def test_groups_big_enough_to_show_are_listed_with_their_department(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await add_people(
        engine,
        [
            *team_of("Sales Gent", 5, department="Sales"),
            *team_of("Sales Brussel", 5, department="Sales"),
            *team_of("Tiny", 2, department="Legal"),
        ],
    )
    answer = await client.get("/api/groups")
    assert answer.status_code == 200
    assert answer.json() == {
        "teams": [
            {"name": "Sales Brussel", "department": "Sales"},
            {"name": "Sales Gent", "department": "Sales"},
        ],
        "departments": [{"name": "Sales", "department": None}],
    }


async def test_the_screen_starts_on_the_group_of_its_address(client: httpx.AsyncClient) -> None:
    team = await client.get("/screen", params={"team": "Sales Gent", "lang": "en"})
    config = config_of(team.text, "screen-config")
    assert config["group"] == {"scope": "teams", "name": "Sales Gent"}
    assert config["startView"] == "group"
    texts = config["texts"]
    assert isinstance(texts, dict) and texts["group_rank"] == "Rank {rank}"
    department = config_of(
        (await client.get("/screen", params={"department": "Sales"})).text, "screen-config"
    )
    assert department["group"] == {"scope": "departments", "name": "Sales"}
    plain = config_of((await client.get("/screen")).text, "screen-config")
    assert plain["group"] is None and plain["startView"] == "teams"
    both = await client.get("/screen", params={"team": "A", "department": "B"})
    assert both.status_code == 422
    assert (await client.get("/screen", params={"team": "x" * 257})).status_code == 422
    # A name from the address never ends the script element that carries it.
    sneaky = await client.get("/screen", params={"team": "</script><p id=x>"})
    assert sneaky.status_code == 200
    assert "</script><p id=x>" not in sneaky.text
    assert config_of(sneaky.text, "screen-config")["group"] == {
        "scope": "teams",
        "name": "</script><p id=x>",
    }
