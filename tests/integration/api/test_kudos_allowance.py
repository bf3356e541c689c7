"""The monthly allowance holds under concurrent and retried requests (SQLite, PostgreSQL).

Many kudos of one giver arrive at once, some sent several times with the same id, around
a month's end in the organisation's time zone. However they interleave, a month never
holds more kudos than the allowance, an id is one kudos paid once, and every kudos that
could be given was.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community import kudos
from services.api.community.kudos import Kudos, KudosRules, KudosValue
from services.api.community.refusals import Refused
from services.api.community.transactions import write
from services.api.recognition import RecognitionGrant
from shared.people import Person
from shared.periods import local_date, month_key

pytestmark = pytest.mark.asyncio

TZ = ZoneInfo("Europe/Brussels")
# 31 January 23:30 and 1 February 00:30 in Brussels: both 31 January in UTC.
MOMENTS = (datetime(2027, 1, 31, 22, 30, tzinfo=UTC), datetime(2027, 1, 31, 23, 30, tzinfo=UTC))

request = st.tuples(
    st.integers(0, 5),  # receiver
    st.integers(0, 1),  # moment
    st.integers(1, 3),  # times sent
)


async def add_people(engine: AsyncEngine, people: list[str]) -> None:
    async with AsyncSession(engine) as session:
        for person in people:
            session.add(Person(person=person, display_name=person, department="Sales"))
        await session.commit()


async def send(
    engine: AsyncEngine, kudos_id: str, giver: str, receiver: str, now: datetime, allowance: int
) -> Kudos | Refused:
    async def work(session: AsyncSession) -> tuple[Kudos, bool]:
        return await kudos.give(
            session,
            kudos_id=kudos_id,
            giver=giver,
            receiver=receiver,
            value=KudosValue.HELPFUL,
            message="thanks",
            now=now,
            tz=TZ,
            rules=KudosRules(per_month=allowance, per_minute=100, per_day=100),
        )

    try:
        row, _ = await write(engine, work)
        return row
    except Refused as refused:
        return refused


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    allowance=st.integers(1, 4),
    requests=st.lists(request, min_size=1, max_size=12),
    seed=st.randoms(use_true_random=False),
)
async def test_the_allowance_is_never_exceeded(
    engine: AsyncEngine, allowance: int, requests: list[tuple[int, int, int]], seed: object
) -> None:
    run = uuid.uuid4().hex[:8]
    giver = f"p-giver-{run}"
    receivers = [f"p-receiver-{run}-{i}" for i in range(6)]
    await add_people(engine, [giver, *receivers])
    calls = []
    for receiver, moment, times in requests:
        kudos_id = str(uuid.uuid4())
        calls += [(kudos_id, receivers[receiver], MOMENTS[moment])] * times
    seed.shuffle(calls)  # type: ignore[attr-defined]

    results = await asyncio.gather(
        *(send(engine, i, giver, r, now, allowance) for i, r, now in calls)
    )

    async with AsyncSession(engine) as session:
        rows = list((await session.exec(select(Kudos).where(Kudos.giver == giver))).all())
        grants = list(
            (
                await session.exec(
                    select(RecognitionGrant).where(
                        col(RecognitionGrant.grant_id).in_([f"kudos:{r.id}" for r in rows])
                    )
                )
            ).all()
        )
    per_month = Counter(row.month for row in rows)
    assert all(count <= allowance for count in per_month.values())
    assert sorted(row.slot for row in rows if row.month == "2027-01") == list(
        range(1, per_month["2027-01"] + 1)
    )
    # Every id that succeeded is one stored kudos, and every answer for it is that kudos.
    stored = {row.id: row for row in rows}
    for (kudos_id, to, _), result in zip(calls, results, strict=True):
        if isinstance(result, Kudos):
            assert result.id == kudos_id and stored[kudos_id].receiver == to
        else:
            assert result.status in (409, 429)
    assert {
        id_ for (id_, _, _), r in zip(calls, results, strict=True) if isinstance(r, Kudos)
    } == set(stored)
    # Paid once each, to the receiver.
    assert sorted(g.grant_id for g in grants) == sorted(f"kudos:{r.id}" for r in rows)
    assert all(g.person == stored[g.grant_id.removeprefix("kudos:")].receiver for g in grants)
    # Nothing that could be given was refused: one per colleague and day, up to the allowance.
    for month in ("2027-01", "2027-02"):
        wanted = {
            (receivers[r], local_date(MOMENTS[m], TZ))
            for r, m, _ in requests
            if month_key(local_date(MOMENTS[m], TZ)) == month
        }
        assert per_month[month] == min(allowance, len(wanted))
