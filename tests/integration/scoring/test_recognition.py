"""Granted points through the real consumer: one ledger with everything else, order-free.

Signals, grants and revocations go through NATS JetStream, the scoring consumer, SQL
and Redis: once in order, once shuffled with repeats under other message ids and in
several deliveries (revocations before their grants, too). Both runs must leave the
same ledger and boards; publishing the rules again (a replay over stored signals and
grants) and rebuilding the boards from SQL must give them once more.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin, privacy, projection, read
from services.scoring.consumer import ConsumerSettings
from services.scoring.domain.model import AwardKind
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from services.scoring.store.ledger import LEDGER
from shared.events import (
    App,
    CloudEvent,
    RecognitionGranted,
    RecognitionKind,
    RecognitionRevoked,
)
from tests.integration.scoring.conftest import (
    RULES,
    TZ,
    activity,
    drain,
    feed,
    person,
    publish_as,
    reset,
    snapshot_boards,
)

PEOPLE = {"p-0": "Red", "p-1": "Red", "p-2": "Blue"}
DIRECTORY = [person(pid, team) for pid, team in PEOPLE.items()]
SETTINGS = ConsumerSettings(batch_size=7, fetch_timeout=0.2)


def granted(
    grant: str, who: str, points: int, day: int, kind: RecognitionKind = RecognitionKind.KUDOS
) -> CloudEvent[RecognitionGranted]:
    data = RecognitionGranted(
        grant=grant,
        person=who,
        kind=kind,
        points=points,
        date=date(2026, 11, day),
        title=f"Thanks for {grant}",
    )
    return CloudEvent.wrap(data, source="test")


def revoked(grant: str, who: str, reason: str = "a mistake") -> CloudEvent[RecognitionRevoked]:
    return CloudEvent.wrap(RecognitionRevoked(grant=grant, person=who, reason=reason), source="t")


async def start_over(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> Scorer:
    await reset(engine, redis, js)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM scoring_recognition"))
    return Scorer(engine, redis, js, TZ, Rulebook())


async def ledger_of(engine: AsyncEngine, version: int | None = None) -> dict[str, Any]:
    """Per version-free key: kind, person, day, points, reference, note; and the days' sums."""
    async with engine.connect() as conn:
        query = select(LEDGER)
        if version is not None:
            query = query.where(LEDGER.c.ruleset_version == version)
        rows = list(await conn.execute(query))
    per_day: dict[tuple[str, date], int] = {}
    held: dict[str, tuple[Any, ...]] = {}
    granted_rows: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        key = row.key.replace(f"|v{row.ruleset_version}|", "|v|")
        if row.kind == AwardKind.POINTS:
            per_day[(row.person, row.day)] = per_day.get((row.person, row.day), 0) + row.points
            if row.rule.startswith("recognition."):
                granted_rows[key] = (row.person, row.day, row.points, row.title, row.note)
        else:
            held[key] = (row.person, row.kind, row.ref, row.day)
    return {"held": held, "per_day": per_day, "granted": granted_rows}


fact = st.one_of(
    st.builds(
        lambda who, day, app: ("signal", who, day, app),
        who=st.sampled_from(sorted(PEOPLE)),
        day=st.integers(2, 20),
        app=st.sampled_from([App.WORD, App.EXCEL, App.TEAMS]),
    ),
)
grant_spec = st.builds(
    lambda n, who, points, day, kind: (f"g-{n}", who, points, day, kind),
    n=st.integers(0, 9),
    who=st.sampled_from(sorted(PEOPLE)),
    points=st.sampled_from([5, 20, 45, 60]),
    day=st.integers(2, 20),
    kind=st.sampled_from(list(RecognitionKind)),
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    signals=st.lists(fact, max_size=25, unique=True),
    grants=st.lists(grant_spec, min_size=1, max_size=6, unique_by=lambda g: g[0]),
    data=st.data(),
)
async def test_grants_and_revocations_in_any_order_give_one_ledger_and_one_set_of_boards(
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    scorer: Scorer,  # publishes the rules
    signals: list[tuple[Any, ...]],
    grants: list[tuple[Any, ...]],
    data: st.DataObject,
) -> None:
    run = uuid.uuid4().hex
    usage = [activity(who, day, app) for _, who, day, app in signals]
    grant_events = [granted(g, who, pts, day, kind) for g, who, pts, day, kind in grants]
    taken_back = data.draw(st.lists(st.sampled_from(grants), unique=True))
    revocations = [revoked(g[0], g[1]) for g in taken_back]
    everything: list[CloudEvent[Any]] = [*usage, *grant_events, *revocations]

    scorer = await start_over(engine, redis, js)
    await publish_as(js, [*DIRECTORY, *usage, *grant_events, *revocations], f"{run}-ordered")
    await drain(js, scorer, SETTINGS)
    ordered = await ledger_of(engine)
    ordered_boards = await snapshot_boards(redis)

    scorer = await start_over(engine, redis, js)
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    arrival = [*everything, *(e for e in everything if rng.random() < 0.3)]
    rng.shuffle(arrival)
    await publish_as(js, DIRECTORY, f"{run}-directory")
    deliveries = data.draw(st.integers(1, 4))
    size = -(-len(arrival) // deliveries)
    for number, first in enumerate(range(0, len(arrival), size)):
        await publish_as(js, arrival[first : first + size], f"{run}-{number}")
        await drain(js, scorer, SETTINGS)

    shuffled = await ledger_of(engine)
    assert shuffled == ordered
    assert await snapshot_boards(redis) == ordered_boards
    gone = {g[0] for g in taken_back}
    for grant, _who, points, _day, _kind in grants:
        paid = sum(v[2] for k, v in shuffled["granted"].items() if k.endswith(f"|{grant}"))
        assert paid == (0 if grant in gone else points)

    # Boards rebuilt from SQL are the live ones.
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await projection.rebuild(engine, redis, active)
    assert await snapshot_boards(redis) == ordered_boards

    # Grants pay as given: a draft with other recognition points moves nobody.
    draft = RULES + "recognition: {kudos: 50, story: 1}\n"
    assert (await admin.preview(engine, draft, TZ)).changes == []
    # Publishing the same rules again replays stored signals and grants into a new version.
    version = await admin.publish(engine, None, RULES, TZ, by="test")
    assert await ledger_of(engine, version) == ordered


async def test_the_day_explained_lists_grants_and_revocations_with_their_titles(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(
        js,
        [
            *DIRECTORY,
            activity("p-0", 10),
            granted("event:lunch:attended:p-0", "p-0", 20, 10, RecognitionKind.EVENT_ATTENDED),
            granted("kudos:k1", "p-0", 5, 10),
            revoked("kudos:k1", "p-0", "sent by mistake"),
        ],
    )
    await drain(js, scorer)

    found = await read.explain(engine, "p-0", date(2026, 11, 10), TZ)

    assert found.points == 10 + 20 + 5 - 5
    assert [(line.rule, line.points) for line in found.lines] == [("points.active_day", 10)]
    assert sorted(
        (line.rule, line.points, line.title, line.reason) for line in found.recognition
    ) == [
        (
            "recognition.event_attended",
            20,
            "Thanks for event:lunch:attended:p-0",
            "20 for event_attended",
        ),
        ("recognition.kudos", -5, "Thanks for kudos:k1", "revoked: sent by mistake"),
        ("recognition.kudos", 5, "Thanks for kudos:k1", "5 for kudos"),
    ]
    profile = await read.profile(engine, "p-0", TZ, date(2026, 11, 30))
    assert profile is not None and profile.points == 30


async def test_granted_points_are_announced_but_a_grant_revoked_before_it_came_is_not(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    watch = await js.subscribe("awards.points", stream="AWARDS")
    await feed(js, [*DIRECTORY, revoked("claim:c2:p-1", "p-1")])
    await drain(js, scorer)
    claim = RecognitionKind.CLAIM
    await feed(
        js,
        [
            granted("claim:c1:p-1", "p-1", 30, 4, claim),
            granted("claim:c2:p-1", "p-1", 30, 5, claim),
        ],
    )
    await drain(js, scorer)

    announced: list[dict[str, Any]] = []
    while True:
        try:
            msg = await watch.next_msg(timeout=1)
        except TimeoutError:
            break
        body = orjson.loads(msg.data)
        announced += body if isinstance(body, list) else [body]
    await watch.unsubscribe()

    assert [(e["data"]["rule"], e["data"]["points"], e["data"]["total"]) for e in announced] == [
        ("recognition.claim", 30, 30)
    ]
    assert announced[0]["data"]["team"] == "Red"


async def test_an_erased_person_loses_their_grants_everywhere(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(
        js, [*DIRECTORY, granted("story:s1", "p-2", 25, 6), granted("story:s2", "p-1", 25, 6)]
    )
    await drain(js, scorer)

    erased = await privacy.erase(engine, redis, "p-2", "key", "test")

    assert erased.counts["recognition"] == 1
    async with engine.connect() as conn:
        left = {
            row[0] for row in await conn.execute(text("SELECT person FROM scoring_recognition"))
        }
        in_ledger = {row[0] for row in await conn.execute(select(LEDGER.c.person))}
    assert left == {"p-1"} and "p-2" not in in_ledger
    # A grant arriving after the erasure is not stored again.
    await feed(js, [granted("story:s3", "p-2", 25, 7)])
    await drain(js, scorer)
    async with engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM scoring_recognition WHERE person = 'p-2'")
        )
    assert count == 0
