"""Admin commands over the outbox: dead letters, replay, channel health, an on-demand digest."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify import models  # noqa: F401  # registers the notify tables
from services.notify.channels import load_channels
from services.notify.deadletters import list_dead, replay
from services.notify.digest import enqueue_weekly
from services.notify.health import channel_health
from shared.database import create_engine, create_tables, session_factory
from shared.settings import NotifySettings


async def admin(settings: NotifySettings, args: argparse.Namespace) -> None:
    engine = create_engine(settings.database_url)
    await create_tables(engine)
    out: object
    async with session_factory(engine)() as session:
        if args.command == "dead-letters":
            out = [d.model_dump() for d in await list_dead(session, args.channel)]
        elif args.command == "replay":
            out = {"replayed": await replay(session, None if args.all else args.ids)}
        elif args.command == "digest":
            out = {"queued": await _queue_digest(settings, session, args.week)}
        else:
            out = [h.model_dump(mode="json") for h in await channel_health(session)]
    await engine.dispose()
    sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")


async def _queue_digest(
    settings: NotifySettings, session: AsyncSession, week: str | None
) -> list[str]:
    """Queue a weekly review now (default: last week); the running service posts it."""
    today = datetime.now(settings.tz).date()
    if week:
        monday = date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
    else:
        monday = today - timedelta(days=today.weekday() + 7)
    channels = load_channels(settings)
    return await enqueue_weekly(
        session, channels, monday, datetime.now(UTC), settings.notify_min_group_size
    )
