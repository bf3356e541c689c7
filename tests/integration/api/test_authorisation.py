"""Who may call what: Entra tokens (signature, issuer, audience, expiry, roles), display tokens."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.ids import pseudonym
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window, period_key, today
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores
from tests.integration.api.tenant import SigningKey, Tenant

ADMIN_ONLY = [("GET", "/api/admin/display-tokens"), ("POST", "/api/admin/display-tokens")]
INSIGHTS = [("GET", "/api/insights/adoption")]
EMPLOYEE = [("GET", "/api/me"), ("GET", "/api/me/neighbours")]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: httpx.AsyncClient, method: str, url: str, token: str | None) -> int:
    headers = bearer(token) if token else {}
    body = {"label": "lobby"} if method == "POST" else None
    return (await client.request(method, url, headers=headers, json=body)).status_code


@pytest.mark.parametrize(("method", "url"), ADMIN_ONLY + INSIGHTS + EMPLOYEE)
async def test_no_token_is_401_with_a_challenge(
    client: httpx.AsyncClient, method: str, url: str
) -> None:
    response = await client.request(method, url, json={"label": "x"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_roles_decide_admin_and_insights(client: httpx.AsyncClient, tenant: Tenant) -> None:
    employee = tenant.token()
    reader = tenant.token(roles=["Insights.Read"])
    admin = tenant.token(roles=["Admin"])

    for method, url in ADMIN_ONLY:
        assert await call(client, method, url, employee) == 403
        assert await call(client, method, url, reader) == 403
        assert await call(client, method, url, admin) in (200, 201)
    for method, url in INSIGHTS:
        assert await call(client, method, url, employee) == 403
        assert await call(client, method, url, reader) == 200
        assert await call(client, method, url, admin) == 200


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired", "token expired"),
        ("bad_signature", "bad signature"),
        ("audience", "another audience"),
        ("issuer", "another issuer"),
        ("unknown_key", "no signing key"),
        ("garbage", "malformed token"),
    ],
)
async def test_untrustworthy_tokens_are_401(
    client: httpx.AsyncClient, tenant: Tenant, case: str, reason: str
) -> None:
    forged = SigningKey(tenant.published[0].kid)  # same key id, different key
    makers: dict[str, Callable[[], str]] = {
        "expired": lambda: tenant.token(roles=["Admin"], lifetime=-3600),
        "bad_signature": lambda: tenant.token(roles=["Admin"], key=forged),
        "audience": lambda: tenant.token(roles=["Admin"], audience="api://other"),
        "issuer": lambda: tenant.token(roles=["Admin"], issuer="https://evil.test/v2.0"),
        "unknown_key": lambda: tenant.token(roles=["Admin"], key=SigningKey("nobody")),
        "garbage": lambda: "not.a.token",
    }
    token = makers[case]()

    response = await client.get("/api/admin/display-tokens", headers=bearer(token))

    assert response.status_code == 401
    assert reason in response.json()["detail"]


async def test_a_malformed_authorization_header_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/me", headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert response.status_code == 401


async def test_keys_are_cached_and_a_rotated_key_is_fetched(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for _ in range(3):
        assert (
            await call(client, "GET", "/api/admin/display-tokens", tenant.token(roles=["Admin"]))
            == 200
        )
    assert tenant.fetches == 1

    rotated = tenant.rotate()
    fresh = tenant.token(roles=["Admin"], key=rotated)

    # The gateway refetches keys for an unknown key id, at most once per 30 s.
    status = await call(client, "GET", "/api/admin/display-tokens", fresh)
    assert status == 200
    assert tenant.fetches == 2


async def test_display_tokens_open_private_boards_until_revoked(
    api_settings: ApiSettings, tenant: Tenant, redis: Redis
) -> None:
    from services.api.app import create_app

    settings = api_settings.model_copy(update={"api_public_boards": False})
    app: FastAPI = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        admin = bearer(tenant.token(roles=["Admin"]))
        assert (await http.get("/api/leaderboards/teams")).status_code == 401
        assert (await http.get("/screen")).status_code == 401

        issued = (
            await http.post("/api/admin/display-tokens", json={"label": "Lobby"}, headers=admin)
        ).json()
        token = issued["token"]
        assert token.startswith("upd_")
        listed = (await http.get("/api/admin/display-tokens", headers=admin)).json()
        assert [t["label"] for t in listed] == ["Lobby"] and "token" not in listed[0]

        assert (await http.get("/api/leaderboards/teams", headers=bearer(token))).status_code == 200
        assert (await http.get(f"/screen?token={token}")).status_code == 200
        assert (await http.get("/api/me", headers=bearer(token))).status_code == 403
        assert (
            await http.get("/api/admin/display-tokens", headers=bearer(token))
        ).status_code == 403

        revoked = await http.delete(f"/api/admin/display-tokens/{issued['id']}", headers=admin)
        assert revoked.json()["revoked_at"] is not None
        assert (await http.get("/api/leaderboards/teams", headers=bearer(token))).status_code == 401
        assert (
            await http.delete("/api/admin/display-tokens/999", headers=admin)
        ).status_code == 404


async def test_an_employee_sees_their_own_rank_and_neighbours(
    client: httpx.AsyncClient,
    tenant: Tenant,
    redis: Redis,
    engine: AsyncEngine,
    api_settings: ApiSettings,
) -> None:
    oid = "6f1c1d0e-0000-4000-8000-000000000001"
    me = pseudonym(oid, api_settings.pseudonym_key.get_secret_value())
    await add_people(
        engine,
        [
            Person(person=me, display_name="Me Myself", team="Sales"),
            Person(person="p-above", display_name="Ann Above", opted_in=True),
            Person(person="p-below", display_name="Bob Below"),
        ],
    )
    week = period_key(Window.WEEK, today(api_settings.tz))
    scores = {f"p-{i}": 100 + i for i in range(10)} | {"p-above": 60, me: 50, "p-below": 40}
    await put_scores(redis, Scope.PEOPLE, Window.WEEK, week, scores)
    await put_scores(redis, Scope.PEOPLE, Window.ALL, "all", {me: 75})
    token = bearer(tenant.token(oid=oid))

    neighbours = (await client.get("/api/me/neighbours?radius=1", headers=token)).json()
    profile = (await client.get("/api/me", headers=token)).json()

    assert [(e["rank"], e["label"], e["me"]) for e in neighbours["entries"]] == [
        (11, "Ann Above", False),
        (12, "Colleague #12", True),
        (13, "Colleague #13", False),
    ]
    assert "Bob" not in str(neighbours) and "p-below" not in str(neighbours)
    standings = {s["window"]: s for s in profile["standings"]}
    assert standings["week"]["rank"] == 12 and standings["week"]["points"] == 50
    assert standings["all"]["rank"] == 1 and standings["all"]["points"] == 75
    assert standings["day"]["rank"] is None
    assert profile["name"] == "Me Myself" and profile["opted_in"] is False

    assert (
        await client.put("/api/me/opt-in", json={"opted_in": True}, headers=token)
    ).status_code == 200
    named = (await client.get("/api/me/neighbours?radius=1", headers=token)).json()
    assert named["entries"][1]["label"] == "Me Myself"


async def test_a_display_label_with_control_characters_is_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))
    response = await client.post(
        "/api/admin/display-tokens", json={"label": "Lobby\x00"}, headers=admin
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "label"
    listed = await client.get("/api/admin/display-tokens", headers=admin)
    assert listed.json() == []
