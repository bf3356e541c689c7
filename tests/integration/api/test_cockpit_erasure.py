"""An erasure keeps the organisation's campaigns, posted nudges and newsletter issues,
and forgets who recorded, posted or sent them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns.tables import Campaign
from services.api.newsletter.issues import NewsletterIssue
from services.api.nudges.posts import NudgePost
from services.scoring import privacy
from shared.people import Person

ERASED, KEPT = "p-00000000000000000000000a", "p-00000000000000000000000b"
MONDAY = date(2026, 11, 23)


async def test_the_records_stay_and_their_author_goes(engine: AsyncEngine, redis: Redis) -> None:
    async with AsyncSession(engine) as session:
        session.add_all([Person(person=ERASED, department="Sales"), Person(person=KEPT)])
        for n, who in enumerate((ERASED, KEPT)):
            session.add(
                Campaign(
                    id=f"c{n}",
                    kind="training",
                    title="Copilot in Excel",
                    starts_on=MONDAY,
                    departments=["Sales"],
                    created_by=who,
                    created_as="admin",
                )
            )
            session.add(
                NudgePost(
                    department="Sales",
                    app=f"app{n}",
                    week=MONDAY,
                    client_id=f"n{n}",
                    use_case="excel-formulas",
                    department_rate=0.1,
                    organisation_rate=0.4,
                    weeks=4,
                    until=MONDAY,
                    posted_by=who,
                    posted_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
                )
            )
            session.add(
                NewsletterIssue(
                    id=f"i{n}",
                    cadence="weekly",
                    period=f"2026-W4{n}",
                    since=MONDAY,
                    until=MONDAY,
                    sent_by=who,
                )
            )
        await session.commit()

    await privacy.erase(engine, redis, ERASED, "erasure-test-key", "dpo@test")

    async with engine.connect() as conn:
        for table, column in (
            ("api_campaign", "created_by"),
            ("api_nudge_post", "posted_by"),
            ("newsletter_issue", "sent_by"),
        ):
            rows = (await conn.execute(text(f"SELECT {column} FROM {table}"))).scalars().all()
            assert sorted(rows, key=str) == sorted([None, KEPT], key=str), table
