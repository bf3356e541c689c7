"""An erased person stays erased: sandbox tenant -> ingest -> scoring -> notify -> gateway.

A person is scored, celebrated and shown, then erased (over HTTP by object id, or
with ``privacy erase`` by userPrincipalName). Two more ingest cycles follow, the
second with a full directory sync and the whole report read again, and then a
recreated scoring consumer and a recreated notify consumer replay the streams
from the start into emptied tables. The person must appear nowhere: in no SQL
table of any service (the suppression list and the audit trail hold the keyed
pseudonym by design), in no Redis key, in no message of any stream, in no API
answer, and ingest must not ask Graph for their interaction history again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.bootstrap import run_once
from services.ingest.encoding import activity_id
from services.notify.channels import Channel
from services.notify.consumer import DURABLE, STREAM, SUBJECT, AwardConsumer
from services.notify.intake import take
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from services.scoring import admin
from services.scoring.bootstrap import privacy_command
from services.scoring.rulebook import Rulebook, default_source
from services.scoring.scorer import Scorer
from shared.database import session_factory
from shared.events import ActivityKind, App
from shared.ids import pseudonym, report_identity
from shared.settings import ApiSettings, ScoringSettings
from tests.integration.api.tenant import Tenant
from tests.integration.ingest.test_sandbox_tenant import settings_for
from tests.integration.scoring.conftest import TZ, drain
from tests.integration.traces import redis_traces, sql_traces, stream_traces

CHANNEL = Channel(
    name="teams", type="teams", url=SecretStr("https://teams.invalid/hook?sig=erasure-test")
)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    end = datetime.now(UTC).date() - timedelta(days=3)
    with sandbox_tenant(
        tmp_path_factory.mktemp("sandbox"), people=14, weeks=3, end_date=end, concealed_names=False
    ) as handle:
        yield handle


@dataclass(frozen=True)
class Victim:
    object_id: str
    upn: str
    name: str
    person: str  # pseudonym
    report: str  # keyed report identity of the userPrincipalName

    @property
    def needles(self) -> tuple[str, ...]:
        return (self.person, self.object_id, self.upn.lower(), self.name, self.report)


async def notify_drain(js: JetStreamContext, engine: AsyncEngine) -> None:
    """notify's AWARDS consumer, wired as its composition root wires it, until caught up."""
    sessions = session_factory(engine)

    async def intake(events: Any) -> None:
        async with sessions() as session:
            await take(session, events, [CHANNEL], timedelta(0))
            await session.commit()

    consumer = AwardConsumer(js, intake)
    sub = await js.pull_subscribe(SUBJECT, durable=DURABLE, stream=STREAM, config=consumer.config)
    try:
        while True:
            try:
                messages = await sub.fetch(100, timeout=0.5)
            except (TimeoutError, NatsTimeout):
                return
            await consumer.handle(messages)
    finally:
        await sub.unsubscribe()


async def traces(
    engine: AsyncEngine, redis: Redis, js: JetStreamContext, victim: Victim
) -> list[str]:
    found = [
        *await sql_traces(engine, victim.needles),
        *await redis_traces(redis, victim.needles),
        *await stream_traces(js, victim.needles),
    ]
    # ingest's revalidation window keys report facts by a hash of the person's id
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT fact_id, day FROM ingest_usage_fact"))).all()
    days = {date.fromisoformat(str(row[1])) for row in rows}
    theirs = {
        activity_id(victim.person, app, ActivityKind.ACTIVE_DAY, day) for app in App for day in days
    }
    return found + [f"ingest_usage_fact: {fact}" for fact in {row[0] for row in rows} & theirs]


async def api_traces(
    client: httpx.AsyncClient, tenant: Tenant, victim: Victim, groups: set[str]
) -> list[str]:
    lead = {"Authorization": f"Bearer {tenant.token(roles=['Admin', 'Insights.Read'])}"}
    own = {"Authorization": f"Bearer {tenant.token(oid=victim.object_id)}"}
    urls = [
        *(
            f"/api/leaderboards/{s}?window={w}"
            for s in ("people", "teams", "departments")
            for w in ("day", "week", "month", "all")
        ),
        *(f"/api/departments/{quote(group)}" for group in sorted(groups)),
        "/api/insights/adoption",
        "/api/screen/adoption",
        "/api/screen/celebrations",
        "/api/challenges",
    ]
    found: list[str] = []
    for url in urls:
        answer = await client.get(url, headers=lead)
        found += [f"GET {url}: {n}" for n in victim.needles if n in answer.text]
    me = await client.get("/api/me", headers=own)
    assert me.status_code == 200, me.text
    profile = me.json()
    found += [f"GET /api/me: {n}" for n in victim.needles if n in me.text]
    if profile["points"] or profile["badges"] or profile["team"] or profile["active_days"]:
        found.append(f"GET /api/me: still holds their data {profile}")
    neighbours = await client.get("/api/me/neighbours?window=all", headers=own)
    if any(entry["me"] for entry in neighbours.json().get("entries", [])):
        found.append("GET /api/me/neighbours: still ranked")
    exported = (
        await client.get(f"/api/admin/people/{victim.object_id}/export", headers=lead)
    ).json()
    held = {k: v for k, v in exported.items() if isinstance(v, list) and v and k != "suppressed"}
    if held:
        found.append(f"export still finds {sorted(held)}")
    return found


async def choose_victim(
    engine: AsyncEngine, sandbox: SandboxHandle, key: str
) -> tuple[Victim, set[str]]:
    """A present person with report facts, prompts and a celebrated award, and a name that
    no other person's name contains."""
    async with engine.connect() as conn:
        sources = (
            await conn.execute(text("SELECT DISTINCT person, source FROM scoring_signal"))
        ).all()
        celebrated = {r[0] for r in await conn.execute(text("SELECT person FROM notify_award"))}
    both = {p for p, s in sources if s == "usage_report"} & {
        p for p, s in sources if s == "interaction_history"
    }
    people = [p for p in sandbox.people(limit=1000) if p["present"] and p["licensed"]]
    names = [p["displayName"] for p in sandbox.people(limit=1000)]
    departments = {p["department"] for p in people if p["department"]}
    for p in people:
        person = pseudonym(p["id"], key)
        unique = sum(p["displayName"] in other for other in names) == 1
        if person in both & celebrated and unique:
            upn = p["userPrincipalName"]
            victim = Victim(p["id"], upn, p["displayName"], person, report_identity(upn, key))
            return victim, departments
    raise AssertionError("the sandbox has nobody to erase with facts of every kind")


async def replay_from_the_start(
    js: JetStreamContext, engine: AsyncEngine, redis: Redis, scorer: Scorer
) -> None:
    """Recreated consumers read both streams again into emptied tables and boards."""
    for stream, durable in (("SIGNALS", "scoring"), ("AWARDS", DURABLE)):
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
    async with engine.begin() as conn:
        for table in (
            "scoring_ledger",
            "scoring_signal",
            "insight_usage_week",  # kept with the signals: emptied with them
            "scoring_unattributed",
            "person",
            "notify_award",
            "notify_outbox",
        ):
            await conn.execute(text(f"DELETE FROM {table}"))
    await redis.flushdb()
    await drain(js, scorer)
    await notify_drain(js, engine)


async def forget_watermarks(engine: AsyncEngine) -> None:
    """As after an expired delta link: a full directory sync, and the report read whole."""
    async with engine.begin() as conn:
        await conn.execute(
            text("DELETE FROM ingest_watermark WHERE name IN ('directory_delta', 'usage_report')")
        )
        await conn.execute(text("DELETE FROM ingest_usage_fact"))


def history_reads(sandbox: SandboxHandle, object_id: str) -> list[str]:
    return [r["path"] for r in sandbox.requests() if object_id in r.get("path", "")]


@pytest.mark.parametrize("route", ["api-by-object-id", "command-by-upn"])
async def test_an_erased_person_appears_nowhere_after_more_cycles_and_a_replay(
    sandbox: SandboxHandle,
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    database_url: str,
    nats_url: str,
    redis_url: str,
    api_settings: ApiSettings,
    client: httpx.AsyncClient,
    tenant: Tenant,
    tmp_path: Path,
    route: str,
) -> None:
    key = api_settings.pseudonym_key.get_secret_value()
    ingest_settings = settings_for(
        sandbox,
        nats_url,
        tmp_path,
        database_url=database_url,
        pseudonym_key=SecretStr(key),
        ingest_interaction_backfill_days=28,
    )
    await admin.ensure_published(engine, js, default_source(), TZ)
    scorer = Scorer(engine, redis, js, TZ, Rulebook())
    await run_once(ingest_settings)
    await drain(js, scorer)
    await notify_drain(js, engine)
    victim, departments = await choose_victim(engine, sandbox, key)
    own = {"Authorization": f"Bearer {tenant.token(oid=victim.object_id)}"}
    opted = await client.put("/api/me/opt-in", json={"opted_in": True}, headers=own)
    assert opted.status_code == 200, opted.text
    # Every check can see the person before the erasure.
    before = await traces(engine, redis, js, victim)
    assert [t for t in before if t.startswith("person:")]
    assert [t for t in before if t.startswith("redis ")]
    assert [t for t in before if t.startswith("SIGNALS ")]
    assert [t for t in before if t.startswith("ingest_usage_fact:")]
    assert await api_traces(client, tenant, victim, departments)

    if route == "api-by-object-id":
        admin_token = tenant.token(roles=["Admin"])
        erased = await client.delete(
            f"/api/admin/people/{victim.object_id}",
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        assert erased.status_code == 200, erased.text
        assert erased.json()["streams_pending"] is True  # the gateway may not rewrite them
        await drain(js, scorer)  # scoring, running meanwhile, scrubs them when idle
    else:
        settings = ScoringSettings(
            nats_url=nats_url,
            redis_url=redis_url,
            database_url=database_url,
            pseudonym_key=SecretStr(key),
        )
        await privacy_command(settings, "erase", victim.upn, "dpo@contoso.test")
    found: dict[str, list[str]] = {}
    found["after the erasure"] = await traces(engine, redis, js, victim)

    sandbox.clear_requests()
    await run_once(ingest_settings)
    await drain(js, scorer)
    await notify_drain(js, engine)
    await forget_watermarks(engine)
    await run_once(ingest_settings)
    await drain(js, scorer)
    await notify_drain(js, engine)
    found["graph asked for their history"] = history_reads(sandbox, victim.object_id)
    found["after two more cycles"] = await traces(engine, redis, js, victim)

    await replay_from_the_start(js, engine, redis, scorer)
    found["after a replay"] = [
        *await traces(engine, redis, js, victim),
        *await api_traces(client, tenant, victim, departments),
    ]

    assert {stage: traces for stage, traces in found.items() if traces} == {}
    # The others are all still there: the checks above could have seen a trace.
    async with engine.connect() as conn:
        scored = {r[0] for r in await conn.execute(text("SELECT person FROM scoring_signal"))}
        people = {r[0] for r in await conn.execute(text("SELECT person FROM person"))}
    present = {pseudonym(p["id"], key) for p in sandbox.people(limit=1000) if p["present"]}
    assert people == present - {victim.person}
    assert len(scored) > 1
