"""Posting Adaptive Cards to Teams channels through Workflows webhooks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from services.notify.cards import render_card
from services.notify.channels import Channel
from services.notify.delivery import Delivery, classify, network_failure
from services.notify.facts import Facts
from services.notify.ratelimit import SlidingWindow

MAX_MESSAGE_BYTES = 28 * 1024
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def envelope(card: dict[str, Any]) -> dict[str, Any]:
    """The message shape the Workflows "post to a channel" trigger expects."""
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE, "contentUrl": None, "content": card}],
    }


class TeamsSender:
    """One rate limit per webhook: Workflows throttles more than a few requests a second."""

    def __init__(
        self, http: httpx.AsyncClient, per_second: float = 4.0, app_url: str | None = None
    ) -> None:
        self.http = http
        self.per_second = per_second
        self.app_url = app_url
        self._limits: dict[str, SlidingWindow] = {}

    def ready(self, channel: Channel) -> bool:
        return True

    async def send(self, channel: Channel, facts: Facts, names: Mapping[str, str]) -> Delivery:
        assert channel.url is not None
        url = channel.url.get_secret_value()
        body = json.dumps(
            envelope(render_card(facts, channel.language, names, self.app_url)), ensure_ascii=False
        ).encode()
        if len(body) > MAX_MESSAGE_BYTES:
            return Delivery("dead", f"message of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
        limit = self._limits.setdefault(url, SlidingWindow(max(1, int(self.per_second)), 1.0))
        await limit.acquire()
        try:
            response = await self.http.post(
                url, content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as exc:
            return network_failure(exc)
        return classify(response)
