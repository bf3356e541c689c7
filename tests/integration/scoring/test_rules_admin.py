"""A draft rule change shows its preview, applies atomically, is picked up live, and rolls back."""

from __future__ import annotations

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin
from services.scoring.scorer import Scorer
from shared.events import ActivityKind, App, RulesPublished, parse_event
from shared.leaderboards import Scope, board_key, top
from shared.periods import Window
from tests.integration.scoring.conftest import RULES, TZ, activity, drain, feed, ledger_rows, person

ALL = board_key(Scope.PEOPLE, Window.ALL, "all")


async def test_preview_publish_pickup_and_rollback(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(
        js,
        [
            person("p-a", "Red"),
            person("p-b", "Red"),
            activity("p-a", 2, App.WORD),
            activity("p-b", 2, App.TEAMS, ActivityKind.PROMPT, "i-1", hour=9),
            activity("p-b", 2, App.TEAMS, ActivityKind.PROMPT, "i-2", hour=10),
        ],
    )
    await drain(js, scorer)
    before = [(s.member, s.value) for s in await top(redis, ALL, 10)]
    assert before == [("p-a", 10.0), ("p-b", 6.0)]

    draft = RULES.replace(
        "per_kind: {active_day: 10, prompt: 3}", "per_kind: {active_day: 2, prompt: 9}"
    )
    assert admin.validate(draft).ok
    preview = await admin.preview(engine, draft, TZ)
    assert preview.based_on == 1
    assert (preview.gainers, preview.losers) == (1, 1)
    changes = {c.person: c for c in preview.changes}
    assert (changes["p-a"].points_before, changes["p-a"].points_after) == (10, 2)
    assert (changes["p-b"].points_before, changes["p-b"].points_after) == (6, 18)
    assert (changes["p-b"].rank_before, changes["p-b"].rank_after) == (2, 1)
    # A preview changes nothing.
    assert [(s.member, s.value) for s in await top(redis, ALL, 10)] == before

    version = await admin.publish(engine, js, draft, TZ, by="admin-1")
    assert version == 2
    rows = await ledger_rows(engine)
    assert {r[6] for r in rows} == {1, 2}  # v1 rows stay: the ledger is append-only
    assert sum(r[4] for r in rows if r[6] == 2 and r[1] == "points") == 20
    announced = await js.pull_subscribe("control.rules", durable="t-rules", stream="CONTROL")
    messages = await announced.fetch(2, timeout=2)
    published = [parse_event(m.data).data for m in messages]
    assert [p.version for p in published if isinstance(p, RulesPublished)] == [1, 2]

    await scorer.sync()  # what the running service does when idle or told on control.rules
    assert [(s.member, s.value) for s in await top(redis, ALL, 10)] == [
        ("p-b", 18.0),
        ("p-a", 2.0),
    ]
    # New signals now score under version 2.
    await feed(js, [activity("p-a", 3, App.EXCEL)])
    await drain(js, scorer)
    assert (await top(redis, ALL, 10))[1].value == 4.0

    restored = await admin.rollback(engine, js, 1, TZ, by="admin-1")
    assert restored == 3
    await scorer.sync()
    assert [(s.member, s.value) for s in await top(redis, ALL, 10)] == [
        ("p-a", 20.0),
        ("p-b", 6.0),
    ]
    versions = await admin.history(engine)
    assert [(v.version, v.active) for v in versions] == [(3, True), (2, False), (1, False)]
    assert versions[0].note == "rollback to v1"


async def test_invalid_rules_are_refused_with_paths(engine: AsyncEngine) -> None:
    result = admin.validate("points: {per_kind: {prompt: -1}}\nlevels: []")
    assert not result.ok
    assert {p.path for p in result.problems} == {"points.per_kind.prompt", "levels"}
