"""Builds the guard from settings: display tokens always, Entra when configured, browser
sessions always (opened by sign-in), and the OpenID Connect sign-in when configured."""

from __future__ import annotations

import ssl
from datetime import timedelta

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.auth.display import DisplayTokens
from services.api.auth.entra import EntraValidator
from services.api.auth.guard import Guard
from services.api.auth.jwks import KeySet
from services.api.auth.oidc import OidcSignIn
from services.api.auth.sessions import SessionStore
from shared.settings import ApiSettings
from shared.trust import TrustStore


def build_guard(
    settings: ApiSettings, engine: AsyncEngine, http: httpx.AsyncClient, redis: Redis
) -> Guard:
    keys = None
    if settings.api_auth_issuer:
        issuer = settings.api_auth_issuer.rstrip("/")
        keys = KeySet(
            settings.api_auth_jwks_uri,
            http,
            discovery_url=f"{issuer}/.well-known/openid-configuration",
            ttl=settings.api_auth_jwks_ttl_seconds,
        )
    entra = None
    if keys is not None and settings.api_auth_issuer and settings.api_auth_audience:
        entra = EntraValidator(
            keys,
            issuer=settings.api_auth_issuer,
            audience=settings.api_auth_audience,
            pseudonym_key=settings.pseudonym_key.get_secret_value(),
            leeway=settings.api_auth_leeway_seconds,
        )
    sessions = SessionStore(
        redis,
        lifetime=timedelta(hours=settings.api_session_hours),
        same_site=settings.api_session_same_site,
    )
    return Guard(DisplayTokens(engine), entra, sessions, build_signin(settings, keys, redis))


def build_signin(settings: ApiSettings, keys: KeySet | None, redis: Redis) -> OidcSignIn | None:
    """The browser sign-in, when a client id and the tenant (issuer) are configured."""
    authority = settings.signin_authority
    client_id = settings.api_auth_client_id
    if not settings.signin_configured or keys is None or authority is None or not client_id:
        return None
    assert settings.api_auth_issuer is not None  # keys exist only with an issuer
    secret = settings.api_auth_client_secret
    return OidcSignIn(
        client_id=client_id,
        client_secret=secret.get_secret_value() if secret is not None else None,
        authority=authority,
        validator=EntraValidator(
            keys,
            issuer=settings.api_auth_issuer,
            audience=client_id,
            pseudonym_key=settings.pseudonym_key.get_secret_value(),
            leeway=settings.api_auth_leeway_seconds,
        ),
        redis=redis,
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        trust=TrustStore(settings.api_auth_ca_bundle),
    )


def auth_http(settings: ApiSettings) -> httpx.AsyncClient:
    """The client that fetches signing keys; trusts an extra CA when one is configured."""
    verify: ssl.SSLContext | bool = True
    if settings.api_auth_ca_bundle:
        verify = ssl.create_default_context(cafile=str(settings.api_auth_ca_bundle))
    return httpx.AsyncClient(verify=verify, follow_redirects=False)
