"""People, champions, screens and what the outbox announced, for the community's tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import nats.errors
import pytest
from fastapi import FastAPI
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.tables import Champion
from services.api.recognition import RecognitionGrant
from services.api.resources import Resources
from shared import partitions
from shared.events import parse_event
from shared.ids import pseudonym
from shared.people import Person
from shared.settings import ApiSettings
from shared.streams import COMMUNITY, SIGNALS
from tests.integration.api.conftest import add_people
from tests.integration.api.tenant import Tenant


@dataclass(frozen=True)
class Actor:
    person: str
    token: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Community:
    client: httpx.AsyncClient
    app: FastAPI
    tenant: Tenant
    settings: ApiSettings
    engine: AsyncEngine

    async def person(
        self,
        name: str,
        department: str = "Sales",
        *,
        roles: list[str] | None = None,
        opted_in: bool = False,
        licensed: bool = True,
    ) -> Actor:
        oid = new_id()
        person = pseudonym(oid, self.settings.pseudonym_key.get_secret_value())
        await add_people(
            self.engine,
            [
                Person(
                    person=person,
                    display_name=name,
                    department=department,
                    team=f"{department} team",
                    opted_in=opted_in,
                    licensed=licensed,
                )
            ],
        )
        return Actor(person, self.tenant.token(oid=oid, roles=roles or []), name)

    async def colleagues(self, department: str, count: int) -> None:
        """Unnamed members, so that the department is big enough to be shown."""
        await add_people(
            self.engine,
            [
                Person(
                    person=f"p-{uuid.uuid4().hex[:24]}",
                    display_name=f"{department} colleague {i}",
                    department=department,
                    team=f"{department} team",
                )
                for i in range(count)
            ],
        )

    async def champion(self, actor: Actor, *departments: str) -> None:
        """Make ``actor`` an approved champion of ``departments``."""
        async with AsyncSession(self.engine) as session:
            session.add(
                Champion(
                    person=actor.person,
                    status="approved",
                    departments=list(departments),
                    apps=[],
                    application=new_id(),
                )
            )
            await session.commit()

    async def display_token(self) -> str:
        resources: Resources = self.app.state.resources
        _, token = await resources.guard.displays.issue("lobby", None)
        return token

    async def used(self, actor: Actor, app: str, day: date) -> None:
        """A stored usage signal, as scoring keeps it."""
        async with self.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO scoring_signal (person, event_id, app, kind, day, at, source,"
                    " received_at) VALUES (:p, :e, :a, 'active_day', :d, :at, 'usage_report', :at)"
                ),
                {
                    "p": actor.person,
                    "e": uuid.uuid4().hex,
                    "a": app,
                    "d": day,
                    "at": datetime.combine(day, time(12), UTC),
                },
            )

    async def grants(self) -> dict[str, RecognitionGrant]:
        async with AsyncSession(self.engine) as session:
            rows = await session.exec(select(RecognitionGrant))
            return {row.grant_id: row for row in rows.all()}


@pytest.fixture
async def community(
    client: httpx.AsyncClient,
    app: FastAPI,
    tenant: Tenant,
    api_settings: ApiSettings,
    engine: AsyncEngine,
) -> AsyncIterator[Community]:
    yield Community(client, app, tenant, api_settings, engine)


@dataclass
class Heard:
    """What the gateway's outbox relayed to JetStream."""

    js: JetStreamContext

    async def events(self, subject: str, count: int) -> list[Any]:
        """The payloads of the first ``count`` messages on ``subject``; fails when more come."""
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
async def heard(nc: Client) -> Heard:
    """Fresh streams; ask for it before ``community`` so they are fresh before the gateway."""
    return Heard(nc.jetstream())
