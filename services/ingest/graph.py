"""A small Microsoft Graph client: bearer token, retries, download redirects, paging."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx
import orjson

from services.ingest.retry import RETRYABLE_STATUS, Backoff, retry_after_seconds
from services.ingest.transport import AsyncioTransport
from shared.logs import get_logger

log = get_logger(__name__)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CONNECTIONS_PER_CLIENT = 2


class TokenSource(Protocol):
    async def token(self, *, force: bool = False) -> str: ...


class GraphError(Exception):
    """Graph answered with an error that retrying will not fix (or retries ran out)."""

    def __init__(self, status: int, url: str, code: str = "", message: str = "") -> None:
        self.status, self.url, self.code, self.message = status, url, code, message
        detail = f"{code}: {message}" if code or message else "no detail"
        super().__init__(f"Graph {status} for {url.split('?')[0]}: {detail}")


class GraphUnavailable(Exception):
    """Graph (or the network to it) did not answer, even after retries."""


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = orjson.loads(response.content).get("error", {})
        return str(body.get("code", "")), str(body.get("message", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return "", response.text[:200]


class GraphClient:
    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        verify: Any = True,
        timeout: float = 60.0,
        backoff: Backoff | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_connections: int = 32,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        # httpcore scans every pooled connection (polling its socket) on each request, so
        # one big pool costs more CPU per request than the request itself; small pools used
        # in turn keep that scan short.
        limits = httpx.Limits(max_connections=CONNECTIONS_PER_CLIENT)
        self._pool = [
            httpx.AsyncClient(
                verify=verify,
                timeout=timeout,
                follow_redirects=False,
                transport=transport or AsyncioTransport(verify=verify, limits=limits),
                limits=limits,
            )
            for _ in range(max(1, max_connections // CONNECTIONS_PER_CLIENT))
        ]
        self._turn = itertools.cycle(self._pool)

    @property
    def backoff(self) -> Backoff:
        return self._backoff

    async def pause(self, seconds: float) -> None:
        """Wait as the client waits between retries (tests make this instant)."""
        await self._sleep(seconds)

    async def aclose(self) -> None:
        for client in self._pool:
            await client.aclose()

    def url(self, path: str) -> str:
        return path if path.startswith("https://") else f"{self.base_url}/{path.lstrip('/')}"

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """GET with the token; redirects are followed without it (download URLs are signed)."""
        response = await self._send(self.url(path), params, authorised=True)
        for _ in range(MAX_REDIRECTS):
            if response.status_code not in REDIRECTS:
                return response
            location = response.headers.get("location")
            if not location:
                raise GraphError(response.status_code, str(response.url), "redirect", "no Location")
            response = await self._send(str(response.url.join(location)), None, authorised=False)
        raise GraphError(response.status_code, str(response.url), "redirect", "too many redirects")

    async def post(self, path: str, body: Any) -> bytes:
        """POST a JSON body with the token (retried like a GET); the answer's bytes."""
        return await self.send_json("POST", path, body)

    async def patch(self, path: str, body: Any) -> bytes:
        """PATCH a JSON body with the token (retried like a GET); the answer's bytes."""
        return await self.send_json("PATCH", path, body)

    async def send_json(self, method: str, path: str, body: Any) -> bytes:
        response = await self._send(
            self.url(path), None, authorised=True, method=method, content=orjson.dumps(body)
        )
        if response.status_code >= 300:
            code, message = _error_of(response)
            raise GraphError(response.status_code, str(response.url), code, message)
        return response.content

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return orjson.loads((await self.get(path, params)).content)

    async def pages(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Each page of a collection, following ``@odata.nextLink`` until it is absent."""
        page: dict[str, Any] = await self.get_json(path, params)
        yield page
        while next_link := page.get("@odata.nextLink"):
            page = await self.get_json(next_link)
            yield page

    async def _send(
        self,
        url: str,
        params: Mapping[str, str] | None,
        *,
        authorised: bool,
        method: str = "GET",
        content: bytes | None = None,
    ) -> httpx.Response:
        attempts = self._backoff.attempts
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = {"Accept": "application/json"}
            if content is not None:
                headers["Content-Type"] = "application/json"
            if authorised:
                headers["Authorization"] = f"Bearer {await self._tokens.token()}"
            try:
                response = await next(self._turn).request(
                    method, url, params=params, headers=headers, content=content
                )
            except httpx.TransportError as exc:
                if attempt >= attempts:
                    raise GraphUnavailable(f"{url.split('?')[0]}: {exc!r}") from None
                wait = self._backoff.delay(attempt)
                log.warning("graph unreachable, retrying", error=repr(exc), wait=round(wait, 2))
                await self._sleep(wait)
                continue
            status = response.status_code
            if status < 400 or status in REDIRECTS:
                return response
            if status == 401 and authorised and not refreshed:
                refreshed = True
                await self._tokens.token(force=True)
                attempt -= 1
                continue
            if status in RETRYABLE_STATUS and attempt < attempts:
                hinted = retry_after_seconds(response.headers.get("retry-after"))
                wait = hinted if hinted is not None else self._backoff.delay(attempt)
                log.warning("graph asked to retry", status=status, wait=round(wait, 2))
                await self._sleep(wait)
                continue
            code, message = _error_of(response)
            raise GraphError(status, url, code, message)
