"""Awards of erased people never reach notify's tables, even when announced before the
erasure and taken in after it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.channels import Channel
from services.notify.intake import take
from shared import suppression
from shared.database import session_factory
from shared.events import ChallengeCompleted, CloudEvent
from tests.integration.notify.awards import badge, points
from tests.integration.traces import sql_traces

ERASED, KEPT = "p-00000000000000000000000a", "p-00000000000000000000000b"
CHANNEL = Channel(name="teams", type="teams", url=SecretStr("https://teams.invalid/x?sig=s"))


def person_challenge_won_by(winner: str, member: str) -> CloudEvent[Any]:
    payload = ChallengeCompleted(
        person=member,
        rule="challenge.apps",
        ruleset_version=1,
        activity_date=date(2026, 11, 30),
        team="Finance Ops",
        department="Finance",
        ledger_key=f"challenge.apps|1|{winner}",
        challenge="apps",
        title="Apps",
        scope="person",
        winner=winner,
        rank=1,
        value=5,
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")


async def test_awards_naming_an_erased_person_are_not_taken_in(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, ERASED, {ERASED})
    events = [
        badge(ERASED, "Explorer"),
        points(ERASED, 3, date(2026, 11, 23), team="Finance Ops"),
        person_challenge_won_by(ERASED, ERASED),
        badge(KEPT, "Explorer"),
    ]

    async with session_factory(engine)() as session:
        offered = await take(session, events, [CHANNEL], timedelta(0))
        await session.commit()

    assert offered == 1
    assert await sql_traces(engine, (ERASED,)) == []
    async with engine.connect() as conn:
        seen = (await conn.execute(text("SELECT person FROM notify_award"))).all()
    assert seen == [(KEPT,)]
