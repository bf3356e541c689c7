"""People, tokens and a settable clock for the champions programme's tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats.errors
import pytest
from fastapi import FastAPI
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.clock import current_time
from services.api.recognition import RecognitionGrant
from shared import partitions
from shared.events import parse_event
from shared.ids import pseudonym
from shared.people import Person
from shared.settings import ApiSettings
from shared.streams import COMMUNITY, SIGNALS
from tests.integration.api.conftest import add_people
from tests.integration.api.tenant import Tenant

START = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Actor:
    person: str
    token: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    client: httpx.AsyncClient
    tenant: Tenant
    settings: ApiSettings
    engine: AsyncEngine
    clock: Clock
    made: int = 0
    people: list[Person] = field(default_factory=list)

    async def actor(
        self,
        name: str,
        department: str = "Sales",
        *,
        roles: list[str] | None = None,
        opted_in: bool = False,
        team: str | None = None,
    ) -> Actor:
        oid = str(uuid.uuid4())
        person = pseudonym(oid, self.settings.pseudonym_key.get_secret_value())
        await add_people(
            self.engine,
            [
                Person(
                    person=person,
                    display_name=name,
                    department=department,
                    team=team or f"{department} team",
                    opted_in=opted_in,
                )
            ],
        )
        return Actor(person, self.tenant.token(oid=oid, roles=roles or []), name)

    async def colleagues(self, department: str, count: int, team: str | None = None) -> None:
        """Unnamed members, so that the department is big enough to show and to name in."""
        start = self.made
        self.made += count
        await add_people(
            self.engine,
            [
                Person(
                    person=f"p-{uuid.uuid4().hex[:24]}",
                    display_name=f"Colleague {i}",
                    department=department,
                    team=team or f"{department} team",
                )
                for i in range(start, start + count)
            ],
        )

    async def champion(self, actor: Actor, admin: Actor, *departments: str) -> dict[str, Any]:
        applied = await self.client.post(
            "/api/champions/apply",
            json={"id": str(uuid.uuid4()), "departments": list(departments), "apps": ["excel"]},
            headers=actor.headers,
        )
        assert applied.status_code == 201, applied.text
        decided = await self.client.post(
            f"/api/admin/champions/{actor.person}/decision",
            json={"status": "approved"},
            headers=admin.headers,
        )
        assert decided.status_code == 200, decided.text
        body: dict[str, Any] = decided.json()
        return body

    async def event(
        self, host: Actor, *, starts: datetime | None = None, hours: float = 1, **extra: Any
    ) -> dict[str, Any]:
        begins = starts or self.clock.now
        response = await self.client.post(
            "/api/champion-events",
            json={
                "id": str(uuid.uuid4()),
                "title": "Lunch & learn: Copilot in Excel",
                "format": "lunch_and_learn",
                "starts_at": begins.isoformat(),
                "ends_at": (begins + timedelta(hours=hours)).isoformat(),
                **extra,
            },
            headers=host.headers,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def code(self, host: Actor, event: str) -> str:
        response = await self.client.get(f"/api/champion-events/{event}/code", headers=host.headers)
        assert response.status_code == 200, response.text
        code: str = response.json()["code"]
        return code


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    ticking = Clock()

    async def now() -> datetime:
        return ticking.now

    app.dependency_overrides[current_time] = now
    return ticking


@pytest.fixture
async def world(
    client: httpx.AsyncClient,
    tenant: Tenant,
    api_settings: ApiSettings,
    engine: AsyncEngine,
    clock: Clock,
) -> AsyncIterator[World]:
    yield World(client, tenant, api_settings, engine, clock)


@dataclass
class Heard:
    """What the gateway's outbox relayed to JetStream."""

    js: JetStreamContext

    async def events(self, subject: str, count: int) -> list[Any]:
        """The payloads of the first ``count`` messages on ``subject``, once they are there;
        fails when more arrive."""
        stream = COMMUNITY.name if subject.startswith("community.") else SIGNALS.name
        # Facts about a person travel on their partition's subject.
        wanted = f"{subject}.*" if subject in partitions.PARTITIONED else subject
        sub = await self.js.pull_subscribe(wanted, stream=stream)
        found: list[Any] = []
        async with asyncio.timeout(15):
            while len(found) < count:
                try:
                    batch = await sub.fetch(count - len(found), timeout=1)
                except nats.errors.TimeoutError:
                    continue
                found.extend(parse_event(m.data).data for m in batch)
        try:
            extra = await sub.fetch(1, timeout=0.5)
        except nats.errors.TimeoutError:
            extra = []
        await sub.unsubscribe()
        assert not extra, f"more than {count} on {subject}"
        return found


@pytest.fixture
async def heard(nc: Client, world: World) -> Heard:
    """Asks for fresh streams before the gateway starts (``nc`` first), then the world."""
    return Heard(nc.jetstream())


async def grants(engine: AsyncEngine) -> dict[str, tuple[str, str, int, bool]]:
    """Every recognition grant: id -> (person, kind, points, revoked)."""
    async with AsyncSession(engine) as session:
        rows = (await session.exec(select(RecognitionGrant))).all()  # type: ignore[call-overload]
    return {g.grant_id: (g.person, g.kind, g.points, g.revoked_at is not None) for (g,) in rows}
