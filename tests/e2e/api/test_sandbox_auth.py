"""Sign-in against the sandbox tenant: its OpenID configuration, its keys, its tokens and roles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.app import create_app
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.settings import ApiSettings

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=40) as handle:
        yield handle


@pytest.fixture
async def gateway(
    sandbox: SandboxHandle,
    redis_url: str,
    nats_url: str,
    database_url: str,
    engine: AsyncEngine,
    redis: Redis,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ApiSettings(
        environment="test",
        redis_url=redis_url,
        nats_url=nats_url,
        database_url=database_url,
        api_auth_issuer=f"{sandbox.authority}/v2.0",
        api_auth_audience="api://uptake",
        api_auth_ca_bundle=sandbox.ca_path,
    )
    app: FastAPI = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield http


async def test_sandbox_tokens_open_what_their_roles_allow(
    gateway: httpx.AsyncClient, sandbox: SandboxHandle
) -> None:
    def bearer(roles: list[str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {sandbox.user_token(roles=roles)}"}

    admin, reader, employee = bearer(["Admin"]), bearer(["Insights.Read"]), bearer([])

    assert (await gateway.get("/api/admin/display-tokens", headers=admin)).status_code == 200
    assert (await gateway.get("/api/admin/display-tokens", headers=reader)).status_code == 403
    assert (await gateway.get("/api/insights/adoption", headers=reader)).status_code == 200
    assert (await gateway.get("/api/insights/adoption", headers=employee)).status_code == 403
    me = await gateway.get("/api/me", headers=employee)
    assert me.status_code == 200 and me.json()["standings"]
    graph_token = {"Authorization": f"Bearer {sandbox.app_token()}"}  # for Graph, not for us
    assert (await gateway.get("/api/me", headers=graph_token)).status_code == 401
