"""A stand-in Entra tenant for authorisation tests: real RSA keys, a JWKS over HTTP."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devtools.servers import free_port

ISSUER = "https://login.test/11111111-2222-3333-4444-555555555555/v2.0"
AUDIENCE = "api://uptake"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class Tenant:
    jwks_uri: str
    published: list[SigningKey]
    fetches: int = 0

    def token(
        self,
        *,
        oid: str | None = None,
        roles: list[str] | None = None,
        key: SigningKey | None = None,
        lifetime: int = 3600,
        audience: str = AUDIENCE,
        issuer: str = ISSUER,
    ) -> str:
        signer = key or self.published[0]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + lifetime,
            "sub": uuid.uuid4().hex,
            "oid": oid or str(uuid.uuid4()),
            "roles": roles or [],
        }
        return jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})

    def rotate(self) -> SigningKey:
        fresh = SigningKey(f"key-{len(self.published) + 1}")
        self.published = [fresh]
        return fresh


KEYS_PATH = "/discovery/v2.0/keys"


def tenant_app(tenant: Tenant) -> Starlette:
    async def keys(_: Request) -> JSONResponse:
        tenant.fetches += 1
        return JSONResponse({"keys": [k.jwk() for k in tenant.published]})

    return Starlette(routes=[Route(KEYS_PATH, keys)])


@asynccontextmanager
async def running_tenant() -> AsyncIterator[Tenant]:
    port = free_port()
    tenant = Tenant(f"http://127.0.0.1:{port}{KEYS_PATH}", [SigningKey("key-1")])
    app = tenant_app(tenant)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield tenant
    finally:
        server.should_exit = True
        await task
