"""The tenant's signing keys: a failed fetch backs off instead of being repeated per request."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.api.auth.jwks import KeySet, KeyUnavailable

URI = "https://login.test/keys"


def jwks(kid: str) -> dict[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return {"keys": [{**json.loads(RSAAlgorithm.to_jwk(key)), "kid": kid, "use": "sig"}]}


class Tenant:
    """A JWKS endpoint that can be taken down; counts what it was asked."""

    def __init__(self) -> None:
        self.up = True
        self.requests = 0
        self.document = jwks("k1")

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, json=self.document) if self.up else httpx.Response(503)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def key_set(
    tenant: Tenant,
    clock: Callable[[], float] = time.monotonic,
    *,
    ttl: float = 3600,
    min_refresh: float = 30,
    max_backoff: float = 300,
) -> KeySet:
    http = httpx.AsyncClient(transport=httpx.MockTransport(tenant.handler))
    return KeySet(URI, http, ttl=ttl, min_refresh=min_refresh, max_backoff=max_backoff, clock=clock)


async def test_requests_while_the_tenant_is_down_do_not_each_fetch_the_keys() -> None:
    tenant = Tenant()
    tenant.up = False
    keys = key_set(tenant)
    for _ in range(20):
        with pytest.raises(KeyUnavailable):
            await keys.key("k1")
    assert tenant.requests == 1


async def test_expired_keys_keep_serving_while_a_refresh_fails_and_it_backs_off() -> None:
    tenant, clock = Tenant(), Clock()
    keys = key_set(tenant, clock, ttl=60, min_refresh=30, max_backoff=120)
    assert (await keys.key("k1")).key_id == "k1"
    tenant.up = False
    clock.now += 61  # expired: one refresh is tried, it fails, the old keys still serve
    for _ in range(20):
        assert (await keys.key("k1")).key_id == "k1"
    assert tenant.requests == 2

    clock.now += 29
    await keys.key("k1")
    assert tenant.requests == 2  # still backing off
    waits = []
    for _ in range(4):  # each failure doubles the wait, up to max_backoff
        before = tenant.requests
        while tenant.requests == before:
            clock.now += 1
            await keys.key("k1")
        waits.append(clock.now)
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    assert gaps == [60, 120, 120]

    tenant.up = True
    tenant.document = jwks("k2")
    clock.now += 120
    assert (await keys.key("k2")).key_id == "k2"  # back: fresh keys, no more backing off


async def test_concurrent_requests_on_expired_keys_fetch_once() -> None:
    tenant, clock = Tenant(), Clock()
    keys = key_set(tenant, clock, ttl=60)
    await keys.key("k1")
    clock.now += 61
    await asyncio.gather(*(keys.key("k1") for _ in range(20)))
    assert tenant.requests == 2
