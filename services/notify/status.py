"""``/healthz``, ``/readyz``, ``/metrics`` and ``/status`` of notify.

``/status`` is what an admin needs at a glance: each channel's health (for
example Engage waiting for a new sign-in) and how many posts wait or died.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.health import channel_health
from services.notify.models import OutboxEntry
from shared.probes import ProbeServer, Reply, alive, metrics, readiness

POSTS = Counter("uptake_notify_posts_total", "Posts by channel and outcome", ["channel", "outcome"])
FOLDED = Counter("uptake_notify_folded_total", "Notifications folded into a burst digest")


async def status_report(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session:
        health = await channel_health(session)
        query = select(OutboxEntry.channel, OutboxEntry.status, func.count()).group_by(
            OutboxEntry.channel, OutboxEntry.status
        )
        counts = (await session.exec(query)).all()
    outbox: dict[str, dict[str, int]] = {}
    for channel, status, count in counts:
        outbox.setdefault(channel, {})[status] = int(count)
    return {
        "channels": {h.channel: {"state": h.state, "detail": h.detail} for h in health},
        "outbox": outbox,
    }


def status_server(
    ready: Callable[[], bool], report: Callable[[], Awaitable[dict[str, Any]]]
) -> ProbeServer:
    """Probes, Prometheus metrics and the admin's ``/status`` at a glance."""

    async def status() -> Reply:
        return Reply(200, json.dumps(await report()).encode())

    return ProbeServer(
        {"/healthz": alive, "/readyz": readiness(ready), "/metrics": metrics, "/status": status}
    )
