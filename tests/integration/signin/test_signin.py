"""Browser sign-in over HTTP: the real sandbox tenant and gateway, the picker walked by posting
its form; PKCE, state and redirect URI failures; sessions, roles, CSRF, sign-out and expiry."""

from __future__ import annotations

import hashlib
import html
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from redis.asyncio import Redis

from services.api.auth.sessions import COOKIE, KEY_PREFIX
from services.sandbox.authcodes import s256
from services.sandbox.testing import SandboxHandle
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer
from tests.integration.api.signin import (
    browser,
    forms_of,
    open_picker,
    pick,
    running_gateway,
    sandbox_person,
    sign_in,
)

pytestmark = pytest.mark.integration


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def whoami(client: httpx.AsyncClient, gateway: str) -> httpx.Response:
    return await client.get(f"{gateway}/auth/session")


async def test_the_admin_signs_in_through_the_picker_and_returns_to_next(
    sandbox: SandboxHandle, signin_server: LiveServer, signin_settings: ApiSettings, redis: Redis
) -> None:
    admin = sandbox_person(sandbox, "Admin")
    async with browser() as client:
        landed = await sign_in(client, signin_server.url, "Admin", "/admin?lang=en")
        assert landed.status_code == 303
        assert landed.headers["location"] == "/admin?lang=en"
        cookies = landed.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith(f"{COOKIE}="))
        assert {"HttpOnly", "Secure", "Path=/", "SameSite=Lax", "Max-Age=28800"} <= set(
            session_cookie.split("; ")
        )
        assert "Domain" not in session_cookie
        body = (await whoami(client, signin_server.url)).json()
    assert body["person"] == admin.pseudonym(signin_settings)
    assert body["name"] == admin.name
    assert body["roles"] == ["Admin", "Insights.Read"]
    assert len(body["csrf"]) >= 32
    # Redis knows the session only by the hash of the cookie's value, with the lifetime as TTL.
    value = session_cookie.split(";")[0].split("=", 1)[1]
    keys = [k.decode() async for k in redis.scan_iter(match=f"{KEY_PREFIX}*")]
    assert keys == [KEY_PREFIX + hashlib.sha256(value.encode()).hexdigest()]
    assert 0 < await redis.ttl(keys[0]) <= 8 * 3600
    stored = await redis.get(keys[0])
    assert isinstance(stored, bytes) and value.encode() not in stored


@pytest.mark.parametrize(
    ("roles", "insights", "admin"),
    [(["Admin", "Insights.Read"], 200, 200), (["Insights.Read"], 200, 403), ([], 403, 403)],
)
async def test_roles_come_from_the_id_token(
    sandbox: SandboxHandle,
    signin_server: LiveServer,
    roles: list[str],
    insights: int,
    admin: int,
) -> None:
    person = next(
        sandbox_person(sandbox, p["userPrincipalName"])
        for p in sandbox.people()
        if p["present"] and p["roles"] == roles
    )
    async with browser(signin_server.url) as client:
        await sign_in(client, signin_server.url, person.name)
        assert (await whoami(client, signin_server.url)).json()["roles"] == list(person.roles)
        assert (await client.get("/api/insights/adoption")).status_code == insights
        assert (await client.get("/api/admin/display-tokens")).status_code == admin


async def test_unsafe_requests_need_the_sessions_csrf_header(
    sandbox: SandboxHandle, signin_server: LiveServer
) -> None:
    async with browser(signin_server.url) as client:
        await sign_in(client, signin_server.url, "Admin")
        csrf = (await whoami(client, signin_server.url)).json()["csrf"]
        body = {"label": "Lobby Gent"}
        url = "/api/admin/display-tokens"
        assert (await client.post(url, json=body)).status_code == 403
        wrong = {"X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}
        assert (await client.post(url, json=body, headers=wrong)).status_code == 403
        assert (await client.get(url)).json() == []  # nothing was issued
        issued = await client.post(url, json=body, headers={"X-CSRF-Token": csrf})
        assert issued.status_code == 201, issued.text
        revoke = f"{url}/{issued.json()['id']}"
        assert (await client.delete(revoke)).status_code == 403
        assert (await client.delete(revoke, headers={"X-CSRF-Token": csrf})).status_code == 200


async def test_bearer_and_display_tokens_work_as_before_beside_sessions(
    sandbox: SandboxHandle, signin_server: LiveServer
) -> None:
    token = sandbox.user_token(roles=["Admin"])
    async with httpx.AsyncClient(base_url=signin_server.url) as curl:
        headers = {"Authorization": f"Bearer {token}"}
        issued = await curl.post(
            "/api/admin/display-tokens", json={"label": "Hall"}, headers=headers
        )
        assert issued.status_code == 201  # no CSRF header: a bearer token is no cookie
        board = "/api/leaderboards/people?token="
        assert (await curl.get(board + issued.json()["token"])).status_code == 200
        assert (await curl.get(board + "upd_unknown")).status_code == 401
        bogus = {"Authorization": "Bearer nope"}
        assert (await curl.get("/api/me", headers=bogus)).status_code == 401
        assert (await curl.get("/auth/session", headers=headers)).status_code == 401


async def test_sign_out_ends_the_session_on_the_server(
    sandbox: SandboxHandle, signin_server: LiveServer, redis: Redis
) -> None:
    async with browser(signin_server.url) as client:
        await sign_in(client, signin_server.url, "Admin")
        csrf = (await whoami(client, signin_server.url)).json()["csrf"]
        value = client.cookies.get(COOKIE)
        assert value
        assert (await client.post("/auth/signout")).status_code == 403  # no CSRF header
        assert (await whoami(client, signin_server.url)).status_code == 200
        out = await client.post("/auth/signout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        assert f"{COOKIE}=; " in out.headers["set-cookie"]
        assert "Max-Age=0" in out.headers["set-cookie"]
        assert client.cookies.get(COOKIE) is None
        assert [k async for k in redis.scan_iter(match=f"{KEY_PREFIX}*")] == []
    # Whoever kept the cookie's value has nothing.
    async with httpx.AsyncClient(base_url=signin_server.url) as stolen:
        stolen_cookie = {"Cookie": f"{COOKIE}={value}"}
        assert (await stolen.get("/auth/session", headers=stolen_cookie)).status_code == 401
        assert (await stolen.get("/api/me", headers=stolen_cookie)).status_code == 401


async def test_a_session_ends_at_its_absolute_lifetime(
    sandbox: SandboxHandle, signin_server: LiveServer, redis: Redis
) -> None:
    async with browser(signin_server.url) as client:
        await sign_in(client, signin_server.url, "Admin")
        assert (await client.get("/api/me")).status_code != 401
        [key] = [k async for k in redis.scan_iter(match=f"{KEY_PREFIX}*")]
        record = json.loads(await redis.get(key) or b"{}")
        # The moment passes (Redis' own TTL ends it too; the record is checked besides).
        record["expires_at"] = time.time() - 1
        await redis.set(key, json.dumps(record), keepttl=True)
        assert (await whoami(client, signin_server.url)).status_code == 401
        assert (await client.get("/api/me")).status_code == 401


async def test_a_short_lifetime_setting_shortens_cookie_and_ttl(
    sandbox: SandboxHandle, signin_settings: ApiSettings, redis: Redis, nc: object
) -> None:
    settings = signin_settings.model_copy(
        update={"api_session_hours": 0.5, "api_session_same_site": "none"}
    )
    async with running_gateway(settings) as server, browser(server.url) as client:
        landed = await sign_in(client, server.url, "Admin")
        cookie = next(c for c in landed.headers.get_list("set-cookie") if c.startswith(COOKIE))
        assert {"Max-Age=1800", "SameSite=None", "Partitioned", "Secure"} <= set(cookie.split("; "))
        [key] = [k async for k in redis.scan_iter(match=f"{KEY_PREFIX}*")]
        assert 0 < await redis.ttl(key) <= 1800


async def test_next_stays_on_this_site(sandbox: SandboxHandle, signin_server: LiveServer) -> None:
    for wanted in ("https://evil.example/me", "//evil.example/me", "/\\evil.example", "me"):
        async with browser() as client:
            landed = await sign_in(client, signin_server.url, "Admin", wanted)
            assert landed.headers["location"] == "/me", wanted


async def test_an_answer_with_another_state_opens_no_session(
    sandbox: SandboxHandle, signin_server: LiveServer
) -> None:
    async with browser() as client:
        picker = await open_picker(client, signin_server.url, "/me")
        back = await pick(client, picker, "Admin")
        answer = query_of(back.headers["location"])
        forged = {**answer, "state": answer["state"] + "x"}
        failed = await client.get(f"{signin_server.url}/auth/callback?{urlencode(forged)}")
        assert failed.status_code == 400
        assert "state" in failed.text
        assert "default-src 'none'" in failed.headers["content-security-policy"]
        assert (await whoami(client, signin_server.url)).status_code == 401
        # The flow is used up: the genuine answer cannot be played afterwards either.
        late = await client.get(f"{signin_server.url}/auth/callback?{urlencode(answer)}")
        assert late.status_code == 400
        assert (await whoami(client, signin_server.url)).status_code == 401


async def test_an_answer_in_another_browser_opens_no_session(
    sandbox: SandboxHandle, signin_server: LiveServer
) -> None:
    async with browser() as victim, browser() as attacker:
        picker = await open_picker(attacker, signin_server.url, "/me")
        back = await pick(attacker, picker, "Admin")
        failed = await victim.get(back.headers["location"])  # login CSRF: the attacker's code
        assert failed.status_code == 400
        assert (await whoami(victim, signin_server.url)).status_code == 401
        # The attacker's own browser still finishes its own sign-in.
        assert (await attacker.get(back.headers["location"])).status_code == 303


async def test_the_tenants_refusal_shows_a_page_to_try_again(
    sandbox: SandboxHandle, signin_server: LiveServer
) -> None:
    async with browser() as client:
        picker = await open_picker(client, signin_server.url, "/me?lang=fr")
        state = next(f for f in forms_of(picker.text) if f.method == "post").fields["state"]
        refusal = {"error": "access_denied", "state": state}
        page = await client.get(f"{signin_server.url}/auth/callback?{urlencode(refusal)}")
        assert page.status_code == 400
        assert "La connexion n'a pas abouti" in html.unescape(page.text)
        assert "/auth/signin?next=/me%3Flang%3Dfr" in page.text


# The sandbox's token endpoint refuses what Entra refuses: the gateway is one client among
# many, so these go straight to the tenant with a PKCE pair of the test's own.


async def authorize_code(
    client: httpx.AsyncClient,
    sandbox: SandboxHandle,
    verifier: str,
    redirect_uri: str = "http://127.0.0.1:9/auth/callback",
) -> str:
    params = {
        "client_id": sandbox.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    url = f"{sandbox.browser_url}/{sandbox.tenant_id}/oauth2/v2.0/authorize"
    picker = await client.get(url, params=params)
    assert picker.status_code == 200, picker.text
    back = await pick(client, picker, "Admin")
    assert back.status_code == 303
    answer = query_of(back.headers["location"])
    assert answer["state"] == "s-1"
    return answer["code"]


async def redeem(
    client: httpx.AsyncClient,
    sandbox: SandboxHandle,
    code: str,
    verifier: str,
    redirect_uri: str = "http://127.0.0.1:9/auth/callback",
) -> httpx.Response:
    return await client.post(
        sandbox.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "scope": "openid profile",
        },
    )


async def test_the_tenant_redeems_a_code_once_with_its_verifier_and_redirect_uri(
    sandbox: SandboxHandle,
) -> None:
    verifier = "v" * 50
    async with httpx.AsyncClient(verify=sandbox.ssl_context()) as client:
        good = await redeem(
            client, sandbox, await authorize_code(client, sandbox, verifier), verifier
        )
        assert good.status_code == 200, good.text
        claims = sandbox_claims(sandbox, good.json()["id_token"])
        assert (claims["nonce"], claims["aud"]) == ("n-1", sandbox.client_id)
        assert claims["roles"] == ["Admin", "Insights.Read"]

        code = await authorize_code(client, sandbox, verifier)
        wrong = await redeem(client, sandbox, code, "w" * 50)
        assert (wrong.status_code, wrong.json()["error_codes"]) == (400, [501481])
        again = await redeem(client, sandbox, code, verifier)  # burnt by the wrong attempt
        assert again.json()["error_codes"] == [54005]

        code = await authorize_code(client, sandbox, verifier)
        elsewhere = await redeem(client, sandbox, code, verifier, "http://127.0.0.1:9/other")
        assert (elsewhere.status_code, elsewhere.json()["error_codes"]) == (400, [500117])

        code = await authorize_code(client, sandbox, verifier)
        assert (await redeem(client, sandbox, code, verifier)).status_code == 200
        replayed = await redeem(client, sandbox, code, verifier)
        assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_grant")
        assert replayed.json()["error_codes"] == [54005]

        code = await authorize_code(client, sandbox, verifier)
        missing = await redeem(client, sandbox, code, "")
        assert missing.json()["error_codes"] == [50148]


async def test_the_tenant_checks_the_authorize_request(sandbox: SandboxHandle) -> None:
    url = f"{sandbox.browser_url}/{sandbox.tenant_id}/oauth2/v2.0/authorize"
    good = {
        "client_id": sandbox.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost:8123/auth/callback",
        "scope": "openid",
        "state": "abc",
        "code_challenge": s256("x" * 43),
        "code_challenge_method": "S256",
    }
    async with httpx.AsyncClient() as client:
        assert (await client.get(url, params=good)).status_code == 200
        page = await client.get(url, params={**good, "redirect_uri": "https://evil.example/cb"})
        assert page.status_code == 400 and "AADSTS50011" in page.text  # never redirected
        page = await client.get(url, params={**good, "client_id": "someone-else"})
        assert page.status_code == 400 and "AADSTS700016" in page.text
        for change in (
            {"code_challenge": ""},
            {"code_challenge_method": "plain"},
            {"response_type": "token"},
            {"scope": "profile"},
        ):
            back = await client.get(url, params={**good, **change})
            assert back.status_code == 302, change
            answer = query_of(back.headers["location"])
            assert back.headers["location"].startswith(good["redirect_uri"])
            assert answer["state"] == "abc" and answer["error"], change


def sandbox_claims(sandbox: SandboxHandle, token: str) -> dict[str, object]:
    import jwt

    keys = httpx.get(f"{sandbox.authority}/discovery/v2.0/keys", verify=sandbox.ssl_context())
    key = jwt.PyJWKSet.from_dict(keys.json()).keys[0]
    claims: dict[str, object] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=sandbox.client_id, issuer=sandbox.issuer
    )
    return claims


async def test_erasing_a_person_signs_them_out_of_every_browser(
    sandbox: SandboxHandle, signin_server: LiveServer, signin_settings: ApiSettings
) -> None:
    colleague = next(p for p in sandbox.people(limit=50) if p["present"] and not p["roles"])[
        "userPrincipalName"
    ]
    gateway = signin_server.url
    async with browser(gateway) as laptop, browser(gateway) as phone, browser(gateway) as admin:
        for device in (laptop, phone):
            await sign_in(device, gateway, colleague)
            assert (await whoami(device, gateway)).status_code == 200
        await sign_in(admin, gateway, "Admin")
        csrf = (await whoami(admin, gateway)).json()["csrf"]
        person = sandbox_person(sandbox, colleague).pseudonym(signin_settings)
        erased = await admin.delete(f"/api/admin/people/{person}", headers={"X-CSRF-Token": csrf})
        assert erased.status_code == 200, erased.text
        assert (await whoami(laptop, gateway)).status_code == 401
        assert (await whoami(phone, gateway)).status_code == 401
        assert (await laptop.get("/api/me")).status_code == 401
        assert (await whoami(admin, gateway)).status_code == 200
