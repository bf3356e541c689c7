"""Builds the guard from settings: display tokens always, Entra when configured."""

from __future__ import annotations

import ssl

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth.display import DisplayTokens
from services.api.auth.entra import EntraValidator
from services.api.auth.guard import Guard
from services.api.auth.jwks import KeySet
from shared.settings import ApiSettings


def build_guard(settings: ApiSettings, engine: AsyncEngine, http: httpx.AsyncClient) -> Guard:
    entra = None
    if settings.api_auth_issuer and settings.api_auth_audience:
        issuer = settings.api_auth_issuer.rstrip("/")
        keys = KeySet(
            settings.api_auth_jwks_uri,
            http,
            discovery_url=f"{issuer}/.well-known/openid-configuration",
            ttl=settings.api_auth_jwks_ttl_seconds,
        )
        entra = EntraValidator(
            keys,
            issuer=settings.api_auth_issuer,
            audience=settings.api_auth_audience,
            pseudonym_key=settings.pseudonym_key.get_secret_value(),
            leeway=settings.api_auth_leeway_seconds,
        )
    return Guard(DisplayTokens(engine), entra)


def auth_http(settings: ApiSettings) -> httpx.AsyncClient:
    """The client that fetches signing keys; trusts an extra CA when one is configured."""
    verify: ssl.SSLContext | bool = True
    if settings.api_auth_ca_bundle:
        verify = ssl.create_default_context(cafile=str(settings.api_auth_ca_bundle))
    return httpx.AsyncClient(verify=verify, follow_redirects=False)
