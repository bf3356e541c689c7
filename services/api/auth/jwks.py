"""The tenant's published signing keys, cached, refreshed on rotation.

Keys are kept for ``ttl`` seconds. A token signed with a key id we do not
know triggers one early refresh (Entra rolls keys without notice), but such
refreshes happen at most once per ``min_refresh`` seconds, so forged key ids
cannot make us hammer the tenant. A failed fetch is not repeated per request:
the next try waits ``min_refresh`` seconds, doubling after every further failure
up to ``max_backoff``; meanwhile the keys we have keep serving (or, with none,
tokens are refused at once).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

from shared.logs import get_logger

log = get_logger(__name__)


class KeyUnavailable(Exception):
    """The key set could not be fetched or holds no key with this id."""


class KeySet:
    def __init__(
        self,
        jwks_uri: str | None,
        http: httpx.AsyncClient,
        *,
        discovery_url: str | None = None,
        ttl: float = 3600.0,
        min_refresh: float = 30.0,
        max_backoff: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if jwks_uri is None and discovery_url is None:
            raise ValueError("need a jwks_uri or an OpenID discovery URL")
        self._uri = jwks_uri
        self._discovery = discovery_url
        self._http = http
        self._ttl = ttl
        self._min_refresh = min_refresh
        self._max_backoff = max_backoff
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = -float("inf")
        self._missed_at = -float("inf")
        self._failures = 0
        self._retry_at = -float("inf")  # no fetch before this after a failed one
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str) -> PyJWK:
        if self._clock() - self._fetched_at >= self._ttl:
            await self._refresh(force=True)
        found = self._keys.get(kid)
        if found is None and self._clock() - self._missed_at >= self._min_refresh:
            self._missed_at = self._clock()
            await self._refresh(force=False)
            found = self._keys.get(kid)
        if found is None:
            if not self._keys:
                raise KeyUnavailable("signing keys unavailable")
            raise KeyUnavailable(f"no signing key with id {kid!r}")
        return found

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = self._clock()
            if now < self._retry_at:
                return  # backing off after a failed fetch: serve what we have, if anything
            if force and now - self._fetched_at < self._ttl:
                return  # another request refreshed while we waited
            if not force and self._fetched_at > self._missed_at:
                return  # another request refreshed while we waited
            try:
                if self._uri is None:
                    self._uri = await self._discover()
                response = await self._http.get(self._uri, timeout=10)
                response.raise_for_status()
                document: dict[str, Any] = response.json()
                keys = PyJWKSet.from_dict(document).keys
            except (httpx.HTTPError, ValueError, PyJWKSetError) as exc:
                self._failures += 1
                wait = min(self._max_backoff, self._min_refresh * 2 ** (self._failures - 1))
                self._retry_at = self._clock() + wait
                log.warning("signing keys unavailable", error=str(exc), retry_in_seconds=wait)
                return  # keep serving the keys we have
            finally:
                self.fetches += 1
            self._keys = {k.key_id: k for k in keys if k.key_id}
            self._fetched_at = self._clock()
            self._failures, self._retry_at = 0, -float("inf")

    async def _discover(self) -> str:
        assert self._discovery is not None
        response = await self._http.get(self._discovery, timeout=10)
        response.raise_for_status()
        uri = response.json().get("jwks_uri")
        if not isinstance(uri, str):
            raise ValueError("OpenID configuration has no jwks_uri")
        return uri
