"""Every answer says how a browser must treat it: pages under a strict Content-Security-Policy,
framed only by Teams where a Teams tab shows them, personal answers never stored."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from tests.integration.api.tenant import Tenant

TEAMS_HOSTS = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.cloud.microsoft",
    "https://*.office.com",
)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parsed}


async def test_pages_send_a_strict_policy_and_say_who_may_frame_them(
    client: httpx.AsyncClient,
) -> None:
    for path, framers in [
        ("/screen", ["'self'", *TEAMS_HOSTS]),
        ("/me", ["'self'", *TEAMS_HOSTS]),
        ("/admin", ["'none'"]),
    ]:
        response = await client.get(path)
        assert response.status_code == 200, path
        policy = directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"], path
        for fetch in ("script-src", "style-src", "connect-src", "img-src", "font-src"):
            assert policy[fetch] in (["'self'"], ["'self'", "data:"]), (path, fetch)
        assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
        assert policy["frame-ancestors"] == framers, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store", path
    assert (await client.get("/admin")).headers["x-frame-options"] == "DENY"
    assert "x-frame-options" not in (await client.get("/screen")).headers


async def test_pages_need_nothing_inline(client: httpx.AsyncClient) -> None:
    for path in ("/screen", "/me", "/admin"):
        html = (await client.get(path)).text
        assert "<style" not in html and " style=" not in html, path
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            attributes, body = script
            assert 'type="application/json"' in attributes or not body.strip(), (path, script)
        assert not re.search(r"\son[a-z]+=", html), path


async def test_api_answers_are_not_sniffed_framed_or_stored_when_personal(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    board = await client.get("/api/leaderboards/teams")
    assert board.headers["x-content-type-options"] == "nosniff"
    assert board.headers["referrer-policy"] == "no-referrer"
    assert directives(board.headers["content-security-policy"]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    employee = {"Authorization": f"Bearer {tenant.token()}"}
    admin = {"Authorization": f"Bearer {tenant.token(roles=['Admin'])}"}
    for path, headers in [
        ("/api/me", employee),
        ("/api/me/neighbours", employee),
        ("/api/insights/adoption", admin),
        ("/api/admin/display-tokens", admin),
    ]:
        response = await client.get(path, headers=headers)
        assert response.headers["cache-control"] == "no-store", path
    static = await client.get("/static/screen.js")
    assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"


async def test_the_api_docs_allow_exactly_their_own_script(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    [inline] = [
        body
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
        if body.strip()
    ]
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert (await client.get("/openapi.json")).status_code == 200
