"""GDPR export and erasure over HTTP: Admin only, by pseudonym, Entra object id or
userPrincipalName."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.state import IngestState, directory_users
from shared.ids import pseudonym, report_identity
from shared.leaderboards import Scope
from shared.people import Person
from shared.periods import Window
from shared.settings import ApiSettings
from tests.integration.api.conftest import add_people, put_scores, team_of
from tests.integration.api.tenant import Tenant

OID = "7c0ffee0-1111-4222-8333-444455556666"
ROUTES = [("GET", f"/api/admin/people/{OID}/export"), ("DELETE", f"/api/admin/people/{OID}")]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "url"), ROUTES)
async def test_without_a_token_it_is_401(client: httpx.AsyncClient, method: str, url: str) -> None:
    response = await client.request(method, url)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), ROUTES)
@pytest.mark.parametrize("roles", [[], ["Insights.Read"]])
async def test_other_roles_are_403_and_nothing_is_erased(
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    api_settings: ApiSettings,
    method: str,
    url: str,
    roles: list[str],
) -> None:
    person = pseudonym(OID, api_settings.pseudonym_key.get_secret_value())
    await add_people(engine, [Person(person=person, team="Red", department="Sales")])

    response = await client.request(method, url, headers=bearer(tenant.token(roles=roles)))

    assert response.status_code == 403
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM person"))).scalar_one() == 1
        assert (await conn.execute(text("SELECT count(*) FROM privacy_audit"))).scalar_one() == 0


async def test_admin_exports_then_erases_by_object_id(
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    redis: Redis,
    api_settings: ApiSettings,
) -> None:
    person = pseudonym(OID, api_settings.pseudonym_key.get_secret_value())
    others = team_of("Red", 5)
    other = others[1].person
    await add_people(engine, [*others, Person(person=person, team="Red", department="Sales")])
    await put_scores(redis, Scope.PEOPLE, Window.ALL, "all", {person: 40, other: 30})
    admin = bearer(tenant.token(roles=["Admin"]))

    exported = await client.get(f"/api/admin/people/{OID}/export", headers=admin)

    assert exported.status_code == 200
    body = exported.json()
    assert body["pseudonym"] == person
    assert [row["person"] for row in body["person"]] == [person]
    assert [(p["board"], p["value"], p["rank"]) for p in body["boards"]] == [
        ("lb:people:all:all", 40.0, 1)
    ]

    erased = await client.delete(f"/api/admin/people/{person}", headers=admin)

    assert erased.status_code == 200
    assert erased.json()["pseudonym"] == person
    counts = erased.json()["erased"]
    assert (counts["person"], counts["signals"], counts["ledger"], counts["boards"]) == (1, 0, 0, 1)
    assert await redis.zscore("lb:people:all:all", person) is None
    assert await redis.zscore("lb:people:all:all", other) is not None
    again = (await client.get(f"/api/admin/people/{person}/export", headers=admin)).json()
    assert again["person"] == [] and again["boards"] == []
    async with engine.connect() as conn:
        audit = (
            await conn.execute(text("SELECT action, person, by FROM privacy_audit ORDER BY id"))
        ).all()
    assert [(a, p) for a, p, _ in audit] == [
        ("export", person),
        ("erase", person),
        ("export", person),
    ]
    assert all(by for _, _, by in audit)


async def test_a_malformed_person_is_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = bearer(tenant.token(roles=["Admin"]))

    response = await client.delete("/api/admin/people/not%20a%20person", headers=admin)

    assert response.status_code == 422


async def test_erasure_by_userprincipalname_lists_every_key_and_leaves_streams_to_scoring(
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    api_settings: ApiSettings,
) -> None:
    key = api_settings.pseudonym_key.get_secret_value()
    person, upn = pseudonym(OID, key), "Ann.Peeters@contoso.be"
    await IngestState(engine).create()
    async with engine.begin() as conn:
        await conn.execute(
            insert(directory_users).values(
                object_id=OID, upn=upn, licensed=True, removed=False, display_name="Ann Peeters"
            )
        )
    await add_people(engine, [Person(person=person, team="Red", department="Sales")])
    admin = bearer(tenant.token(roles=["Admin"]))

    erased = await client.delete(f"/api/admin/people/{upn.lower()}", headers=admin)

    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["pseudonym"] == person
    assert (body["erased"]["person"], body["erased"]["ingest_directory"]) == (1, 1)
    assert body["streams_pending"] is True  # scoring's user rewrites the streams, not the api
    exported = (await client.get(f"/api/admin/people/{OID}/export", headers=admin)).json()
    assert sorted((e["key"], e["person"]) for e in exported["suppressed"]) == sorted(
        [(person, person), (report_identity(upn, key), person)]
    )
    assert not any(v for k, v in exported.items() if isinstance(v, list) and k != "suppressed")
