"""Posting messages to Viva Engage communities as the signed-in service account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from services.notify.cards import render_text
from services.notify.channels import Channel
from services.notify.delivery import Delivery, classify, network_failure
from services.notify.facts import Facts
from services.notify.ratelimit import SlidingWindow

MAX_TOPICS = 20


class TokenSource(Protocol):
    async def token(self) -> str | None: ...

    def version(self) -> float: ...


class EngageSender:
    """Once Engage says the token is gone, stay silent until an admin signs in again."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        tokens: TokenSource,
        messages: int = 10,
        window: float = 30.0,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/messages.json"
        self.tokens = tokens
        self.limit = SlidingWindow(messages, window)
        self.paused_at: float | None = None

    def ready(self, channel: Channel) -> bool:
        if self.paused_at is not None and self.tokens.version() == self.paused_at:
            return False
        self.paused_at = None
        return True

    def _pause(self, detail: str) -> Delivery:
        self.paused_at = self.tokens.version()
        return Delivery("auth", detail)

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery:
        token = await self.tokens.token()
        if not token:
            return self._pause("no signed-in Engage account (token cache empty or expired)")
        form = {"body": render_text(facts, channel.language, names), "group_id": channel.group_id}
        for number, topic in enumerate(channel.topics[:MAX_TOPICS], start=1):
            form[f"topic{number}"] = topic
        await self.limit.acquire()
        try:
            response = await self.http.post(
                self.url, data=form, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            return network_failure(exc)
        if response.status_code == 401:
            return self._pause(f"HTTP 401: {response.text[:200]}")
        return classify(response)
