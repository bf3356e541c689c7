"""GDPR export and erasure: everything about one person comes out, then nothing is left,
in SQL, Redis and the streams; only the suppression list and the audit trail keep the
pseudonym, by design."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.encoding import activity_id
from services.ingest.state import (
    IngestState,
    directory_users,
    interaction_cursors,
    unattributed_identities,
    usage_facts,
)
from services.notify import models as notify_models
from services.scoring.bootstrap import privacy_command, rebuild
from services.scoring.scorer import Scorer
from services.scoring.store.tables import UnattributedFact
from shared.database import create_tables
from shared.events import ActivityKind, App
from shared.ids import pseudonym, report_identity
from shared.settings import ScoringSettings
from tests.integration.scoring.conftest import activity, drain, feed, person, snapshot_boards
from tests.integration.traces import redis_traces, sql_traces, stream_traces

KEY = "privacy-test-key"
OID_A, OID_B = "0d1e6a1c-aaaa-4bbb-8ccc-000000000001", "0d1e6a1c-aaaa-4bbb-8ccc-000000000002"
A, B = pseudonym(OID_A, KEY), pseudonym(OID_B, KEY)
# Their report identities, under which a report row that joined nobody was kept.
R_A, R_B = report_identity("ann@contoso.test", KEY), report_identity("bob@contoso.test", KEY)
DAY = date(2026, 11, 25)
FACT_A, FACT_B = (activity_id(p, App.WORD, ActivityKind.ACTIVE_DAY, DAY) for p in (A, B))


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
            await conn.execute(
                insert(unattributed_identities).values(
                    report_identity=report_identity(f"{name.lower()}@contoso.test", KEY),
                    reason="unknown_user",
                )
            )
        for fact in (FACT_A, FACT_B):
            await conn.execute(insert(usage_facts).values(fact_id=fact, day=DAY))
        for identity in (R_A, R_B):
            await conn.execute(
                insert(UnattributedFact.__table__).values(  # type: ignore[attr-defined]
                    event_id=f"u-{identity}",
                    report_identity=identity,
                    reason="unknown_user",
                    app="word",
                    day=DAY,
                    epoch=1,
                    received_at=datetime.now(UTC),
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
            await conn.execute(
                insert(notify_models.SeenTitles.__table__).values(  # type: ignore[attr-defined]
                    event_id=f"e-{who}", titles=json.dumps({"en": "First Word"})
                )
            )


async def traces(engine: AsyncEngine, redis: Redis, needles: tuple[str, ...]) -> list[str]:
    return [*await sql_traces(engine, needles), *await redis_traces(redis, needles)]


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
    # Nov 2-4 are one ISO week: one insight row per app, one action each.
    assert sorted((r["app"], r["actions"]) for r in exported["insight_usage"]) == [
        ("excel", 1),
        ("outlook", 1),
        ("word", 1),
    ]
    assert len(exported["ledger"]) == ledger_a > 0 and {
        r["person"] for r in exported["ledger"]
    } == {A}
    assert [r["person"] for r in exported["notify_awards"]] == [A]
    assert sorted(r["key"] for r in exported["notify_outbox"]) == ["teams:burst", f"teams:{A}"]
    assert [r["object_id"] for r in exported["ingest_directory"]] == [OID_A]
    assert [r["object_id"] for r in exported["ingest_cursors"]] == [OID_A]
    assert [r["report_identity"] for r in exported["ingest_unattributed"]] == [R_A]
    assert [r["report_identity"] for r in exported["unattributed"]] == [R_A]
    assert [r["fact_id"] for r in exported["ingest_usage_facts"]] == [FACT_A]
    assert [r["event_id"] for r in exported["notify_award_titles"]] == [f"e-{A}"]
    assert exported["suppressed"] == []
    people_boards = [key for key in await snapshot_boards(redis) if key.startswith("lb:people:")]
    on_boards = {p["board"] for p in exported["boards"]}
    assert on_boards and on_boards == {
        k for k in people_boards if await redis.zscore(k, A) is not None
    }
    needles_a, needles_b = (A, OID_A, R_A, FACT_A, "Ann"), (B, OID_B, R_B, FACT_B, "Bob")
    assert await traces(engine, redis, needles_a) != []  # the check below can see a trace
    assert await stream_traces(js, needles_a) != []

    erased = json.loads(await privacy_command(settings, "erase", A, "admin@test"))

    counts = erased["erased"]
    assert counts["signals"] == 3 and counts["ledger"] == ledger_a
    assert counts["insight_usage"] == 3
    async with engine.connect() as conn:
        rollup = (await conn.execute(text("SELECT person FROM insight_usage_week"))).all()
        everything = (
            await conn.execute(
                text("SELECT count(*) FROM scoring_insight_pending WHERE week IS NULL")
            )
        ).scalar_one()
    assert rollup == [(B,)]  # only B's row is left
    assert everything >= 1  # the cube is rebuilt whole without A
    assert (counts["unattributed"], counts["ingest_unattributed"]) == (1, 1)
    assert (counts["ingest_usage_facts"], counts["notify_award_titles"]) == (1, 1)
    assert counts["stream_messages_deleted"] >= 5  # A's directory fact and three activities
    assert erased["streams_pending"] is False
    assert await traces(engine, redis, needles_a) == []
    assert await stream_traces(js, needles_a) == []
    assert await traces(engine, redis, needles_b) != []  # B is untouched
    assert await stream_traces(js, needles_b) != []
    async with engine.connect() as conn:
        listed = (
            await conn.execute(text("SELECT key, person, streams_pending FROM privacy_suppression"))
        ).all()
    assert sorted(listed) == sorted([(A, A, 0), (R_A, A, 0)])  # both keys, streams scrubbed
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
