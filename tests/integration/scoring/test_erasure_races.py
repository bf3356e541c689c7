"""An erasure racing scoring: whichever comes first, the person ends up nowhere.

The interleavings are set up by hand: a batch committed before the erasure and
settled after it; a batch staged after it without the consumer's check; messages
published after it (an ingest cycle that began before); a writer holding the list
while the erasure starts. A property test erases at a random point of a random
arrival order and requires the others' ledger and boards to be those of a run in
which the person never was.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import privacy, privacy_streams, projection
from services.scoring.privacy import Erasure
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer
from services.scoring.store.directory import PEOPLE
from shared import suppression
from shared.bus import publish_batched
from shared.events import (
    ActivityKind,
    App,
    CloudEvent,
    CopilotActivity,
    UnattributedActivity,
    UnattributedReason,
)
from tests.integration.scoring.conftest import (
    TZ,
    activity,
    drain,
    feed,
    ledger_outcome,
    person,
    publish_as,
    reset,
    snapshot_boards,
)
from tests.integration.traces import redis_traces, sql_traces, stream_traces

KEY = "erasure-race-key"
A, B, C = (f"p-{n:024x}" for n in (0xA, 0xB, 0xC))
R_A, R_B = (f"r-{n:024x}" for n in (0xA, 0xB))


async def erase(
    engine: AsyncEngine, redis: Redis, who: str, js: JetStreamContext | None = None
) -> Erasure:
    return await privacy.erase(engine, redis, who, KEY, "dpo", js)


def unattributed(identity: str, day: int) -> CloudEvent[UnattributedActivity]:
    data = UnattributedActivity(
        report_identity=identity,
        reason=UnattributedReason.UNKNOWN_USER,
        app=App.WORD,
        date=date(2026, 11, day),
        epoch=1,
    )
    return CloudEvent.wrap(data, source="test")


async def agrees_with_a_rebuild(engine: AsyncEngine, redis: Redis) -> bool:
    live = await snapshot_boards(redis)
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await redis.flushdb()
    await projection.rebuild(engine, redis, active)
    return await snapshot_boards(redis) == live


async def test_an_erasure_between_a_batch_commit_and_its_settling_leaves_nothing_behind(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await feed(js, [person(p, "Red") for p in (A, B, C)])
    await drain(js, scorer)
    staged = await scorer.stage(
        Batch([activity(A, 2, App.WORD), activity(A, 3, App.EXCEL), activity(B, 3, App.WORD)])
    )

    erased = await erase(engine, redis, A)  # the gateway's way: streams left to scoring
    await scorer.settle(staged)  # its board writes and announcements come after the erasure

    assert erased.streams_pending
    assert await redis_traces(redis, (A,)) == []
    await drain(js, scorer)  # scoring's idle moment: the streams are scrubbed ...
    await scorer.sync()  # ... and the boards rebuilt from the ledger
    assert await stream_traces(js, (A,)) == []
    assert await sql_traces(engine, (A,)) == []
    assert await agrees_with_a_rebuild(engine, redis)  # the team no longer counts A's points
    assert await sql_traces(engine, (B,)) != []


async def test_a_batch_staged_after_an_erasure_keeps_the_person_out(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await erase(engine, redis, A, js)

    # As when the consumer's look at the list came just before the erasure.
    staged = await scorer.stage(
        Batch(
            [activity(A, 2, App.WORD), activity(B, 2, App.WORD)],
            [person(A, "Red").data, person(B, "Red").data],
        )
    )
    await scorer.settle(staged)

    assert await sql_traces(engine, (A,)) == []
    assert await redis_traces(redis, (A,)) == []
    async with engine.connect() as conn:
        scored = (await conn.execute(text("SELECT DISTINCT person FROM scoring_signal"))).all()
    assert scored == [(B,)]


async def test_messages_published_after_an_erasure_are_scrubbed_as_they_are_consumed(
    js: JetStreamContext, redis: Redis, engine: AsyncEngine, scorer: Scorer
) -> None:
    await erase(engine, redis, A, js)
    await suppression.extend(engine, [{A, R_A}])  # ingest learnt A's userPrincipalName
    await privacy_streams.scrub_owed(engine, js)  # no scrub owed when the late facts come
    # An ingest cycle that began before the erasure publishes A's facts among others'.
    await publish_batched(
        js,
        [
            person(A, "Red"),
            person(B, "Red"),
            activity(A, 4, App.WORD),
            activity(B, 4, App.WORD),
            unattributed(R_A, 4),
            unattributed(R_B, 4),
        ],
    )

    await drain(js, scorer)

    assert await sql_traces(engine, (A, R_A)) == []
    assert await stream_traces(js, (A, R_A)) == []
    assert await redis_traces(redis, (A,)) == []
    async with engine.connect() as conn:
        scored = (await conn.execute(text("SELECT DISTINCT person FROM scoring_signal"))).all()
        kept = (await conn.execute(text("SELECT report_identity FROM scoring_unattributed"))).all()
    assert (scored, kept) == ([(B,)], [(R_B,)])
    # B's facts travel on in the rewritten messages, for any consumer replaying the stream.
    on_signals = [t for t in await stream_traces(js, (B, R_B)) if t.startswith("SIGNALS")]
    assert len(on_signals) == 3  # the directory fact, the activity, the unattributed fact


async def test_a_writer_holding_the_list_finishes_before_an_erasure_deletes(
    redis: Redis, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        await suppression.hold(conn)
        assert await suppression.among(conn, {A}) == set()
        erasure = asyncio.create_task(erase(engine, redis, A))
        # Room for the erasure to run ahead if the lock let it: it must wait instead.
        await asyncio.wait({erasure}, timeout=0.5)
        row = {"person": A, "team": "Red", "licensed": True, "removed": False, "opted_in": False}
        await conn.execute(insert(PEOPLE).values(updated_at=datetime.now(UTC), **row))
    await erasure

    assert await sql_traces(engine, (A,)) == []


TEAMS = {A: "Red", B: "Red", C: "Blue"}
fact = st.builds(
    lambda who, day, app, prompt, hour: (
        activity(who, day, app, ActivityKind.PROMPT, f"i-{who}-{day}-{app}-{hour}", hour=hour)
        if prompt
        else activity(who, day, app)
    ),
    who=st.sampled_from(sorted(TEAMS)),
    day=st.integers(2, 27),
    app=st.sampled_from([App.WORD, App.EXCEL, App.TEAMS, App.OUTLOOK]),
    prompt=st.booleans(),
    hour=st.integers(7, 19),
)


async def clean_slate(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> Scorer:
    """Nothing stored, listed or streamed, and a scoring service that just started."""
    await reset(engine, redis, js)
    async with engine.begin() as conn:
        for table in ("privacy_suppression", "privacy_audit", "scoring_unattributed"):
            await conn.execute(text(f"DELETE FROM {table}"))
    await js.purge_stream("AWARDS")
    return Scorer(engine, redis, js, TZ, Rulebook())


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    facts=st.lists(fact, min_size=1, max_size=40, unique_by=lambda e: e.id),
    seed=st.integers(0, 2**32 - 1),
    cut=st.floats(0, 1),
)
async def test_erased_at_any_point_the_others_end_as_if_the_person_never_was(
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    scorer: Scorer,  # publishes the rules
    facts: list[CloudEvent[CopilotActivity]],
    seed: int,
    cut: float,
) -> None:
    run = uuid.uuid4().hex  # message ids of this example's own: earlier ones are still known
    directory = [person(who, team) for who, team in TEAMS.items()]
    scorer = await clean_slate(engine, redis, js)
    never = [e for e in [*directory, *facts] if e.data.person != A]
    await publish_as(js, never, f"{run}-without")
    await drain(js, scorer)
    await scorer.sync()
    expected = (await ledger_outcome(engine), await snapshot_boards(redis))

    scorer = await clean_slate(engine, redis, js)
    arrival = list(facts)
    random.Random(seed).shuffle(arrival)
    split = int(cut * len(arrival))
    await publish_as(js, [*directory, *arrival[:split]], f"{run}-before")
    await drain(js, scorer)
    await erase(engine, redis, A, js)
    # The rest comes after the erasure, A's facts too: a cycle that began before it.
    await publish_as(js, [*directory, *arrival[split:]], f"{run}-after")
    await drain(js, scorer)
    await scorer.sync()

    assert await sql_traces(engine, (A,)) == []
    assert await redis_traces(redis, (A,)) == []
    assert await stream_traces(js, (A,)) == []
    assert (await ledger_outcome(engine), await snapshot_boards(redis)) == expected
