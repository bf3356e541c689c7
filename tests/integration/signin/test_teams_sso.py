"""Signing in from a Teams tab: single sign-on tokens from the sandbox tenant (as a Teams client
gets them) checked by a real gateway; refusals; and the pop-up fallback's one-time handoff."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from nats.aio.client import Client
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth.sessions import COOKIE
from services.api.auth.teams import HANDOFF_PREFIX, s256, teams_resource
from services.sandbox.testing import SandboxHandle
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer
from tests.integration.api.signin import (
    browser,
    gateway_settings,
    running_gateway,
    sandbox_person,
    sign_in,
)

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://uptake.example.test"


@pytest.fixture
def teams_settings(
    sandbox: SandboxHandle, redis_url: str, nats_url: str, database_url: str, engine: AsyncEngine
) -> ApiSettings:
    return gateway_settings(sandbox, redis_url, nats_url, database_url, api_public_url=PUBLIC_URL)


@pytest.fixture
async def gateway(
    teams_settings: ApiSettings, redis: Redis, nc: Client
) -> AsyncIterator[LiveServer]:
    async with running_gateway(teams_settings) as server:
        yield server


def resource(sandbox: SandboxHandle, public_url: str = PUBLIC_URL) -> str:
    return teams_resource(public_url, sandbox.client_id)


def sso_token(sandbox: SandboxHandle, **body: Any) -> str:
    """What authentication.getAuthToken() gives a tab, from the sandbox tenant."""
    body = {"index": 0, "resource": resource(sandbox), **body}
    with sandbox.http() as http:
        answer = http.post("/sandbox/tokens/teams-sso", json=body)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def session_cookie(response: httpx.Response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))


@pytest.mark.parametrize("client", ["desktop", "web"])
@pytest.mark.parametrize("audience", ["application id uri", "client id"])
async def test_a_teams_token_opens_a_session_that_reads_my_own_data(
    sandbox: SandboxHandle,
    gateway: LiveServer,
    teams_settings: ApiSettings,
    client: str,
    audience: str,
) -> None:
    admin = sandbox_person(sandbox, "Admin")
    wanted = resource(sandbox) if audience == "application id uri" else sandbox.client_id
    token = sso_token(sandbox, upn=admin.upn, resource=wanted, client=client)
    async with browser(gateway.url) as tab:
        assert (await tab.get("/api/me")).status_code == 401
        signed = await tab.post("/auth/teams", json={"token": token})
        assert signed.status_code == 200, signed.text
        assert signed.headers["cache-control"] == "no-store"
        cookie = session_cookie(signed)
        # The tab is a frame of Teams: the cookie must be sent to the gateway from there.
        assert {"HttpOnly", "Secure", "Path=/", "SameSite=None", "Partitioned"} <= set(
            cookie.split("; ")
        )
        assert signed.json()["person"] == admin.pseudonym(teams_settings)
        assert signed.json()["roles"] == sorted(admin.roles)
        assert signed.json()["name"] == admin.name
        mine = await tab.get("/api/me")
        assert mine.status_code == 200, mine.text
        session = (await tab.get("/auth/session")).json()
        assert session["person"] == admin.pseudonym(teams_settings)
        # Cookie-authenticated writes still need the session's CSRF value.
        refused = await tab.post("/auth/signout")
        assert refused.status_code == 403
        out = await tab.post("/auth/signout", headers={"X-CSRF-Token": session["csrf"]})
        assert out.status_code == 204
        assert (await tab.get("/api/me")).status_code == 401


def tampered(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    return ".".join((head, body, flipped))


REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "wrong audience": ({"resource_host": "https://other.example.test"}, "another audience"),
    "expired": ({"age_seconds": 2 * 3600}, "expired"),
    "wrong issuer": ({"tenant": "another-tenant"}, "another issuer"),
}


async def test_signing_in_again_leaves_one_session(
    sandbox: SandboxHandle, gateway: LiveServer, redis: Redis
) -> None:
    async with browser(gateway.url) as tab:
        first = await tab.post("/auth/teams", json={"token": sso_token(sandbox)})
        second = await tab.post("/auth/teams", json={"token": sso_token(sandbox)})
        assert first.status_code == second.status_code == 200
        assert first.json()["csrf"] != second.json()["csrf"]
        assert (await tab.get("/api/me")).status_code == 200
    sessions = [k async for k in redis.scan_iter(match="auth:session:*")]
    assert len(sessions) == 1
    old_value = session_cookie(first).split(";")[0].split("=", 1)[1]
    async with browser(gateway.url) as stale:
        stale.cookies.set(COOKIE, old_value, domain="127.0.0.1", path="/")
        assert (await stale.get("/api/me")).status_code == 401


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_tokens_teams_would_not_give_this_app_are_refused(
    sandbox: SandboxHandle, gateway: LiveServer, case: str
) -> None:
    options, reason = REFUSALS[case]
    options = dict(options)
    host = options.pop("resource_host", None)
    if host is not None:
        options["resource"] = resource(sandbox, host)
    token = sso_token(sandbox, **options)
    async with browser(gateway.url) as tab:
        answer = await tab.post("/auth/teams", json={"token": token})
        assert answer.status_code == 401
        assert reason in answer.json()["detail"]
        assert not answer.headers.get_list("set-cookie")
        assert (await tab.get("/api/me")).status_code == 401


async def test_other_tokens_of_the_tenant_do_not_sign_a_tab_in(
    sandbox: SandboxHandle, gateway: LiveServer
) -> None:
    # A token for another API of the tenant, and one for this API obtained by an app that
    # is not Teams (the scope is right; the authorized party is not a Teams client).
    other_api = sandbox.user_token(index=0)
    not_teams = sandbox.user_token(index=0, scope=f"{resource(sandbox)}/access_as_user")
    forged = tampered(sso_token(sandbox))
    cases = {
        other_api: "another audience",
        not_teams: "not obtained by a Teams client",
        forged: "signature",
    }
    async with browser(gateway.url) as tab:
        for token, reason in cases.items():
            answer = await tab.post("/auth/teams", json={"token": token})
            assert answer.status_code == 401, reason
            assert reason in answer.json()["detail"]
        assert (await tab.get("/api/me")).status_code == 401


async def test_only_a_json_body_with_a_token_is_read(
    sandbox: SandboxHandle, gateway: LiveServer
) -> None:
    token = sso_token(sandbox)
    async with browser(gateway.url) as tab:
        # A form another site could post: not JSON, so never a session.
        form = await tab.post("/auth/teams", data={"token": token})
        assert form.status_code == 422
        assert (await tab.post("/auth/teams", json={})).status_code == 422
        huge = await tab.post("/auth/teams", json={"token": "x" * 20_000})
        assert huge.status_code == 422
        assert (await tab.get("/auth/session")).status_code == 401


async def test_the_popup_hands_its_session_to_the_tab_once(
    sandbox: SandboxHandle, signin_server: LiveServer, redis: Redis
) -> None:
    gateway = signin_server  # its redirect URI is its own address: the pop-up signs in there
    verifier = secrets.token_urlsafe(32)
    challenge = s256(verifier)
    async with browser(gateway.url) as popup:
        next_path = f"/teams/auth-end?lang=en&challenge={challenge}"
        landed = await sign_in(popup, gateway.url, "Admin", next_path)
        assert landed.status_code == 303
        assert landed.headers["location"] == next_path
        end = await popup.get(next_path)
        assert end.status_code == 200
        assert "/static/teams.js" in end.text
        # A window of its own: it runs the gateway's scripts and is framed by nobody.
        policy = end.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        csrf = (await popup.get("/auth/session")).json()["csrf"]
        without = await popup.post("/auth/teams/handoff", json={"challenge": challenge})
        assert without.status_code == 403
        handed = await popup.post(
            "/auth/teams/handoff", json={"challenge": challenge}, headers={"X-CSRF-Token": csrf}
        )
        assert handed.status_code == 200, handed.text
        code = handed.json()["code"]
        # The pop-up's own session ends as it hands over.
        assert (await popup.get("/auth/session")).status_code == 401
    assert [k async for k in redis.scan_iter(match=f"{HANDOFF_PREFIX}*")]
    async with browser(gateway.url) as tab:
        wrong = await tab.post("/auth/teams/redeem", json={"code": code, "verifier": "v" * 43})
        assert wrong.status_code == 401
        assert "another tab" in wrong.json()["detail"]
        # A wrong verifier used the code up: the same code with the right one is refused too.
        again = await tab.post("/auth/teams/redeem", json={"code": code, "verifier": verifier})
        assert again.status_code == 401
        assert (await tab.get("/api/me")).status_code == 401


async def test_a_handoff_code_opens_one_session_however_often_it_is_sent(
    sandbox: SandboxHandle, signin_server: LiveServer, signin_settings: ApiSettings
) -> None:
    gateway = signin_server
    verifier = secrets.token_urlsafe(32)
    async with browser(gateway.url) as popup:
        await sign_in(popup, gateway.url, "Admin", "/teams/auth-end")
        csrf = (await popup.get("/auth/session")).json()["csrf"]
        handed = await popup.post(
            "/auth/teams/handoff",
            json={"challenge": s256(verifier)},
            headers={"X-CSRF-Token": csrf},
        )
        code = handed.json()["code"]
    tabs = [browser(gateway.url) for _ in range(5)]
    try:
        answers = await asyncio.gather(
            *(
                tab.post("/auth/teams/redeem", json={"code": code, "verifier": verifier})
                for tab in tabs
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 401, 401, 401, 401]
        winner = next(t for t, a in zip(tabs, answers, strict=True) if a.status_code == 200)
        assert "Partitioned" in session_cookie(
            next(a for a in answers if a.status_code == 200)
        ).split("; ")
        who = (await winner.get("/auth/session")).json()
        assert who["person"] == sandbox_person(sandbox, "Admin").pseudonym(signin_settings)
        assert (await winner.get("/api/me")).status_code == 200
    finally:
        for tab in tabs:
            await tab.aclose()


async def test_handoff_needs_a_session_and_a_well_formed_challenge(
    sandbox: SandboxHandle, gateway: LiveServer
) -> None:
    async with browser(gateway.url) as anonymous:
        nobody = await anonymous.post("/auth/teams/handoff", json={"challenge": "c" * 43})
        assert nobody.status_code == 401
        # Only a browser's session is handed over: a bearer token is not one.
        bearer = await anonymous.post(
            "/auth/teams/handoff",
            json={"challenge": "c" * 43},
            headers={"Authorization": f"Bearer {sandbox.user_token(index=0)}"},
        )
        assert bearer.status_code == 401
        short = await anonymous.post(
            "/auth/teams/redeem", json={"code": "short", "verifier": "v" * 43}
        )
        assert short.status_code == 422
        bad = await anonymous.post("/auth/teams/handoff", json={"challenge": "<script>" * 6})
        assert bad.status_code == 422


async def test_teams_sign_in_is_absent_where_sign_in_is_not_configured(
    sandbox: SandboxHandle,
    redis_url: str,
    nats_url: str,
    database_url: str,
    engine: AsyncEngine,
    redis: Redis,
    nc: Client,
) -> None:
    settings = gateway_settings(sandbox, redis_url, nats_url, database_url, api_auth_client_id=None)
    async with running_gateway(settings) as bearer_only, browser(bearer_only.url) as tab:
        token = sso_token(sandbox)
        answer = await tab.post("/auth/teams", json={"token": token})
        assert answer.status_code == 404
        assert (await tab.get("/auth/session")).status_code == 401
