"""Delegated sign-in for the Viva Engage service account, its token cache encrypted at rest.

An admin signs the service account in once with the device-code flow
(``python -m services.notify engage-login``); the running service then only
ever refreshes silently. Engage accepts delegated tokens only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import msal
from cryptography.fernet import Fernet, InvalidToken

from shared.logs import get_logger
from shared.settings import NotifySettings
from shared.trust import TrustStore

log = get_logger(__name__)


def cache_key(settings: NotifySettings) -> bytes:
    """ENGAGE_TOKEN_KEY (a Fernet key); in development a key derived from PSEUDONYM_KEY."""
    if settings.engage_token_key:
        return settings.engage_token_key.get_secret_value().encode()
    if settings.environment == "production":
        raise ValueError("ENGAGE_TOKEN_KEY must be set in production (a Fernet key)")
    digest = hashlib.sha256(
        b"engage-token-cache:" + settings.pseudonym_key.get_secret_value().encode()
    )
    return base64.urlsafe_b64encode(digest.digest())


class EncryptedTokenCache:
    """An MSAL token cache persisted as one Fernet-encrypted file (owner-only permissions)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.fernet = Fernet(key)
        self.cache = msal.SerializableTokenCache()
        if path.exists():
            try:
                self.cache.deserialize(self.fernet.decrypt(path.read_bytes()).decode())
            except InvalidToken:
                log.error("engage token cache cannot be decrypted; sign in again", path=str(path))

    def save(self) -> None:
        if not self.cache.has_state_changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(self.fernet.encrypt(self.cache.serialize().encode()))
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)
        self.cache.has_state_changed = False


class EngageTokens:
    """Access tokens for Engage from the cached sign-in; ``None`` when nobody is signed in."""

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self.scopes = settings.engage_scopes
        self.store = EncryptedTokenCache(settings.engage_token_cache, cache_key(settings))
        self._app: msal.PublicClientApplication | None = None
        self._loaded = self.version()

    def _reload_if_signed_in_again(self) -> None:
        if self.version() != self._loaded:
            self.store = EncryptedTokenCache(self.store.path, cache_key(self.settings))
            self._app = None
            self._loaded = self.version()

    @property
    def app(self) -> msal.PublicClientApplication:
        if self._app is None:
            graph = self.settings.graph
            authority = graph.authority_url
            host = urlparse(authority).hostname or ""
            extra: dict[str, Any] = {}
            if not host.endswith(("microsoftonline.com", "microsoftonline.us", "chinacloudapi.cn")):
                extra["instance_discovery"] = False
            # MSAL's requests session must trust the public CAs plus GRAPH_CA_BUNDLE, and
            # keep doing so when REQUESTS_CA_BUNDLE is set: ingest's trust store does both.
            extra["http_client"] = TrustStore(graph.ca_bundle).requests_session()
            self._app = msal.PublicClientApplication(
                self.settings.engage_client_id or graph.client_id,
                authority=authority,
                token_cache=self.store.cache,
                **extra,
            )
        return self._app

    def version(self) -> float:
        """Changes when a new sign-in rewrote the cache file."""
        try:
            return self.store.path.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def _silent(self) -> str | None:
        self._reload_if_signed_in_again()
        if not any(self.store.cache.search(msal.TokenCache.CredentialType.ACCOUNT)):
            return None  # nobody signed in: no need to reach the authority at all
        accounts = self.app.get_accounts()
        if not accounts:
            return None
        result = self.app.acquire_token_silent(self.scopes, account=accounts[0])
        self.store.save()
        self._loaded = self.version()
        if not result or "access_token" not in result:
            return None
        return str(result["access_token"])

    async def token(self) -> str | None:
        return await asyncio.to_thread(self._silent)

    def login(self, show: Callable[[str], None]) -> bool:
        """Device-code sign-in; ``show`` tells the admin where to go and which code to enter."""
        flow = self.app.initiate_device_flow(scopes=self.scopes)
        if "user_code" not in flow:
            show(f"Cannot start the sign-in: {flow.get('error_description', flow)}")
            return False
        show(flow["message"])
        result = self.app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            show(f"Sign-in failed: {result.get('error')}: {result.get('error_description')}")
            return False
        self.store.save()
        return True
