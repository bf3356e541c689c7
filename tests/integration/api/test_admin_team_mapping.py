"""Team mapping over HTTP: Admin only, validated, stored, and the moved people re-filed."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import mapping
from shared.ids import pseudonym
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, team_of, wait_for_bus
from tests.integration.api.tenant import Tenant

URL = "/api/admin/team-mapping"
BODY = {"overrides": [{"kind": "team", "source": "Red", "team": "Crimson"}]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_without_a_token_it_is_401(client: httpx.AsyncClient, method: str) -> None:
    assert (await client.request(method, URL, json=BODY)).status_code == 401


@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize("roles", [[], ["Insights.Read"]])
async def test_other_roles_are_403(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, method: str, roles: list[str]
) -> None:
    token = tenant.token(roles=roles)

    response = await client.request(method, URL, json=BODY, headers=bearer(token))

    assert response.status_code == 403
    assert await mapping.current(engine) == []


async def test_admin_replaces_and_reads_the_mapping(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    api_settings: ApiSettings,
) -> None:
    await wait_for_bus(app)
    await add_people(engine, team_of("Red", 3) + team_of("Blue", 2))
    oid = "5d2b7a10-0000-4000-8000-00000000abcd"
    admin = bearer(tenant.token(roles=["Admin"]))
    body = {
        "overrides": [
            *BODY["overrides"],
            {"kind": "person", "source": oid, "department": "Finance"},
        ]
    }

    saved = await client.put(URL, json=body, headers=admin)

    assert saved.status_code == 200
    assert saved.json()["refiled"] == 3  # the Red members; the object id is nobody yet
    person = pseudonym(oid, api_settings.pseudonym_key.get_secret_value())
    listed = (await client.get(URL, headers=admin)).json()["overrides"]
    assert listed == [
        {"kind": "person", "source": person, "team": None, "department": "Finance"},
        {"kind": "team", "source": "Red", "team": "Crimson", "department": None},
    ]


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ([{"kind": "team", "source": "Red"}], 422),
        ([{"kind": "office", "source": "Red", "team": "X"}], 422),
        ([{"kind": "team", "source": "Red", "team": "X"}] * 2, 400),
    ],
)
async def test_bad_overrides_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, overrides: list[dict[str, str]], status: int
) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))

    response = await client.put(URL, json={"overrides": overrides}, headers=admin)

    assert response.status_code == status
