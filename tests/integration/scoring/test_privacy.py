"""GDPR export and erasure: everything about one person comes out, then nothing is left."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import MetaData, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.state import IngestState, directory_users, interaction_cursors
from services.notify import models as notify_models
from services.scoring.bootstrap import privacy_command, rebuild
from services.scoring.scorer import Scorer
from services.scoring.store.privacy import PrivacyAudit
from shared.database import create_tables
from shared.events import App
from shared.ids import pseudonym
from shared.settings import ScoringSettings
from tests.integration.scoring.conftest import activity, drain, feed, person, snapshot_boards

KEY = "privacy-test-key"
OID_A, OID_B = "0d1e6a1c-aaaa-4bbb-8ccc-000000000001", "0d1e6a1c-aaaa-4bbb-8ccc-000000000002"
A, B = pseudonym(OID_A, KEY), pseudonym(OID_B, KEY)


async def seed_other_services(engine: AsyncEngine) -> None:
    """Rows notify and ingest keep about A and B, as those services write them."""
    await IngestState(engine).create()
    await create_tables(engine)  # notify's tables: its models are imported above
    async with engine.begin() as conn:
        for oid, name in ((OID_A, "Ann"), (OID_B, "Bob")):
            await conn.execute(
                insert(directory_users).values(
                    object_id=oid,
                    upn=f"{name.lower()}@contoso.test",
                    display_name=name,
                    department="Sales",
                    job_title=None,
                    office_location=None,
                    licensed=True,
                    removed=False,
                )
            )
            await conn.execute(
                insert(interaction_cursors).values(
                    object_id=oid, until=datetime(2026, 11, 20, tzinfo=UTC)
                )
            )
        burst = {"kind": "burst", "total": 2, "titles": [], "teams": [], "people": [A, B]}
        await conn.execute(
            insert(notify_models.OutboxEntry.__table__).values(  # type: ignore[attr-defined]
                key="teams:burst",
                channel="teams",
                kind="burst",
                facts=json.dumps(burst),
                status="sent",
                not_before=datetime.now(UTC),
                attempts=0,
                created_at=datetime.now(UTC),
            )
        )
        for who in (A, B):
            facts = {
                "kind": "badge",
                "person": who,
                "team": "Red",
                "badge": "first-word",
                "title": "First Word",
                "activity_date": "2026-11-02",
            }
            await conn.execute(
                insert(notify_models.OutboxEntry.__table__).values(  # type: ignore[attr-defined]
                    key=f"teams:{who}",
                    channel="teams",
                    kind="badge",
                    facts=json.dumps(facts),
                    status="sent",
                    not_before=datetime.now(UTC),
                    attempts=0,
                    created_at=datetime.now(UTC),
                )
            )
            await conn.execute(
                insert(notify_models.SeenAward.__table__).values(  # type: ignore[attr-defined]
                    event_id=f"e-{who}",
                    kind="badge",
                    person=who,
                    team="Red",
                    activity_date=date(2026, 11, 2),
                )
            )


async def traces(engine: AsyncEngine, redis: Redis, needles: tuple[str, ...]) -> list[str]:
    """Every SQL row (outside the audit trail) and Redis key, member or field naming a needle."""
    found: list[str] = []
    async with engine.connect() as conn:
        meta = MetaData()
        await conn.run_sync(lambda sync: meta.reflect(sync))
        for name, tbl in meta.tables.items():
            if name == PrivacyAudit.__tablename__:
                continue
            for row in await conn.execute(select(tbl)):
                if any(n in repr(tuple(row)) for n in needles):
                    found.append(f"{name}: {tuple(row)}")
    async for raw in redis.scan_iter(match="*", count=1000):
        key = raw.decode() if isinstance(raw, bytes) else raw
        content = repr(await redis_content(redis, key))
        if any(n in key or n in content for n in needles):
            found.append(f"redis {key}")
    return found


async def redis_content(redis: Redis, key: str) -> Any:
    kind = await redis.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    if kind == "zset":
        return await redis.zrange(key, 0, -1)
    if kind == "hash":
        return await redis.hkeys(key)
    return await redis.get(key) if kind == "string" else None


async def test_export_is_complete_and_erasure_leaves_no_trace(
    js: JetStreamContext,
    redis: Redis,
    scorer: Scorer,
    engine: AsyncEngine,
    nats_url: str,
    redis_url: str,
    database_url: str,
) -> None:
    await feed(
        js,
        [
            person(A, "Red", display_name="Ann"),
            person(B, "Red", display_name="Bob"),
            activity(A, 2, App.WORD),
            activity(A, 3, App.EXCEL),
            activity(A, 4, App.OUTLOOK),
            activity(B, 3, App.WORD),
        ],
    )
    await drain(js, scorer)
    await seed_other_services(engine)
    settings = ScoringSettings(
        nats_url=nats_url, redis_url=redis_url, database_url=database_url, pseudonym_key=KEY
    )

    exported = json.loads(await privacy_command(settings, "export", OID_A, "admin@test"))

    async with engine.connect() as conn:
        ledger_a = (
            await conn.execute(
                text("SELECT count(*) FROM scoring_ledger WHERE person = :p"), {"p": A}
            )
        ).scalar_one()
    assert exported["pseudonym"] == A
    assert [row["person"] for row in exported["person"]] == [A]
    assert len(exported["signals"]) == 3 and {r["person"] for r in exported["signals"]} == {A}
    assert len(exported["ledger"]) == ledger_a > 0 and {
        r["person"] for r in exported["ledger"]
    } == {A}
    assert [r["person"] for r in exported["notify_awards"]] == [A]
    assert sorted(r["key"] for r in exported["notify_outbox"]) == ["teams:burst", f"teams:{A}"]
    assert [r["object_id"] for r in exported["ingest_directory"]] == [OID_A]
    assert [r["object_id"] for r in exported["ingest_cursors"]] == [OID_A]
    people_boards = [key for key in await snapshot_boards(redis) if key.startswith("lb:people:")]
    on_boards = {p["board"] for p in exported["boards"]}
    assert on_boards and on_boards == {
        k for k in people_boards if await redis.zscore(k, A) is not None
    }
    assert await traces(engine, redis, (A, OID_A)) != []  # the check below can see a trace

    erased = json.loads(await privacy_command(settings, "erase", A, "admin@test"))

    assert erased["erased"]["signals"] == 3 and erased["erased"]["ledger"] == ledger_a
    assert await traces(engine, redis, (A, OID_A)) == []
    assert await traces(engine, redis, (B, OID_B)) != []  # B is untouched
    assert (erased["erased"]["notify_outbox"], erased["erased"]["notify_outbox_scrubbed"]) == (1, 1)
    async with engine.connect() as conn:
        digest = (
            await conn.execute(text("SELECT facts FROM notify_outbox WHERE key = 'teams:burst'"))
        ).scalar_one()
    assert json.loads(digest)["people"] == [B]  # the digest stays for the others
    after_erasure = await snapshot_boards(redis)
    await redis.flushdb()
    await rebuild(settings)
    assert await traces(engine, redis, (A, OID_A)) == []
    # The team board was corrected at erasure: a rebuild from the ledger agrees with it.
    assert await snapshot_boards(redis) == after_erasure

    async with engine.connect() as conn:
        audit = (
            await conn.execute(
                text("SELECT action, person, by, counts FROM privacy_audit ORDER BY id")
            )
        ).all()
    assert [(r[0], r[1], r[2]) for r in audit] == [
        ("export", A, "admin@test"),
        ("erase", A, "admin@test"),
    ]
    assert json.loads(audit[1][3]) == erased["erased"]
    assert "Ann" not in repr(audit) and OID_A not in repr(audit)
