"""``/asyncapi`` and ``/asyncapi.yaml``: the bus's contracts, public, in JSON and YAML alike."""

from __future__ import annotations

import httpx
import yaml
from fastapi import FastAPI

from services.api.routers.asyncapi import rendered
from shared.asyncapi import address_of, declared_subjects


async def test_the_document_is_public_json_of_every_subject(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    response = await client.get("/asyncapi")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["version"] == app.version
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {address_of(subject) for subject in declared_subjects().values()}
    # The gateway's headers hold for it as for any API answer; it is nobody's, so storable.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "no-store" not in response.headers.get("cache-control", "")


async def test_yaml_and_json_say_the_same(client: httpx.AsyncClient) -> None:
    as_yaml = await client.get("/asyncapi.yaml")
    as_json = await client.get("/asyncapi")

    assert as_yaml.status_code == 200
    assert as_yaml.headers["content-type"] == "application/yaml"
    assert yaml.safe_load(as_yaml.text) == as_json.json()


async def test_the_document_is_built_once_and_served_from_memory(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/asyncapi")
    built = rendered.cache_info().misses
    second = await client.get("/asyncapi.yaml")
    third = await client.get("/asyncapi")

    assert first.status_code == second.status_code == third.status_code == 200
    assert rendered.cache_info().misses == built
    assert first.content == third.content
