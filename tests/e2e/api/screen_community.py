"""What the office screen's community views show, written as the community keeps it:
approved stories, kudos, and a champion event that chose a screen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.codes import new_secret
from services.api.champions.tables import ChampionEvent
from services.api.community.kudos import Kudos
from services.api.community.stories import Story, StoryStatus
from services.api.resources import Resources
from shared.periods import month_key


@dataclass(frozen=True)
class StorySeed:
    author: str
    app: str
    minutes: int
    text: str
    department: str | None = None
    use_case: str | None = None
    named: bool = False


async def add_stories(engine: AsyncEngine, seeds: list[StorySeed]) -> list[str]:
    """Approved stories, the last one approved last (shown first); their ids."""
    now = datetime.now(UTC)
    ids = []
    async with AsyncSession(engine) as session:
        for i, seed in enumerate(seeds):
            moment = now - timedelta(minutes=len(seeds) - i)
            story = Story(
                id=str(uuid.uuid4()),
                author=seed.author,
                department=seed.department,
                app=seed.app,
                use_case=seed.use_case,
                minutes_saved=seed.minutes,
                text=seed.text,
                named=seed.named,
                status=StoryStatus.APPROVED.value,
                submitted_at=moment - timedelta(hours=1),
                decided_by="p-champion",
                decided_at=moment,
                approved_at=moment,
                approved_on=moment.date(),
            )
            ids.append(story.id)
            session.add(story)
        await session.commit()
    return ids


async def add_kudos(engine: AsyncEngine, given: list[tuple[str, str, str, str]]) -> None:
    """Kudos (giver, receiver, value, message), the last one given last."""
    now = datetime.now(UTC)
    async with AsyncSession(engine) as session:
        for i, (giver, receiver, value, message) in enumerate(given):
            moment = now - timedelta(minutes=len(given) - i)
            session.add(
                Kudos(
                    id=str(uuid.uuid4()),
                    giver=giver,
                    receiver=receiver,
                    value=value,
                    message=message,
                    day=moment.date(),
                    month=month_key(moment.date()),
                    slot=i + 1,
                    created_at=moment,
                )
            )
        await session.commit()


async def display_token(app: FastAPI, label: str = "lobby") -> tuple[int, str]:
    """A screen's display token: its id (events choose screens by it) and the secret."""
    resources: Resources = app.state.resources
    row, token = await resources.guard.displays.issue(label, None)
    assert row.id is not None
    return row.id, token


async def running_event(
    engine: AsyncEngine, screen: int, title: str, location: str = "Room 3.12"
) -> str:
    """A champion event that started a quarter of an hour ago and shows on ``screen``."""
    now = datetime.now(UTC)
    event_id = str(uuid.uuid4())
    event = ChampionEvent(
        id=event_id,
        host="p-host",
        title=title,
        format="lunch_and_learn",
        location=location,
        starts_at=now - timedelta(minutes=15),
        ends_at=now + timedelta(minutes=45),
        screens=[screen],
        secret=new_secret(),
    )
    async with AsyncSession(engine) as session:
        session.add(event)
        await session.commit()
    return event_id
