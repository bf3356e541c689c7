"""Awards and community announcements of erased people never reach notify's tables, even
when announced before the erasure and taken in after it; an erasure takes them out of
every card waiting to be sent, and out of the digests that also tell of others."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.notify.channels import Channel
from services.notify.community_facts import KudosBurstFacts
from services.notify.community_intake import take_community
from services.notify.digest import fold_burst
from services.notify.facts import load_facts
from services.notify.intake import take
from services.notify.kudos_fold import KUDOS_FOLD
from services.notify.models import OutboxEntry
from services.scoring import privacy
from shared import suppression
from shared.database import session_factory
from shared.events import (
    App,
    ChallengeCompleted,
    ChampionChanged,
    ChampionEventChanged,
    CloudEvent,
    CommunityChange,
    KudosGiven,
    NewsletterPublished,
    NewsletterSection,
    NewsletterText,
    Payload,
    StoryPublished,
    TipPosted,
)
from shared.people import Person
from tests.integration.notify.awards import add_people, badge, points
from tests.integration.traces import sql_traces

ERASED, KEPT = "p-00000000000000000000000a", "p-00000000000000000000000b"
OTHER = "p-00000000000000000000000c"
DAY = date(2026, 11, 25)
BRUSSELS = ZoneInfo("Europe/Brussels")
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


def announcements(erased: str, kept: str) -> list[CloudEvent[Any]]:
    """Each community announcement once naming ``erased`` and once naming only ``kept``."""
    starts = datetime(2026, 12, 1, 11, tzinfo=UTC)
    payloads: list[Payload] = []
    for n, who in enumerate((erased, kept)):
        payloads += [
            KudosGiven(kudos=f"k{n}", giver=who, receiver=OTHER, value="helpful", date=DAY),
            KudosGiven(kudos=f"r{n}", giver=OTHER, receiver=who, value="creative", date=DAY),
            StoryPublished(
                story=f"s{n}",
                change=CommunityChange.APPROVED,
                app=App.WORD,
                minutes_saved=20,
                text="A report in an hour",
                author=who,
            ),
            TipPosted(
                tip=f"t{n}",
                department="Finance",
                use_case="u",
                app=App.EXCEL,
                titles={"en": "Explain variances"},
                sent_by=who,
            ),
            ChampionEventChanged(
                event=f"e{n}",
                change=CommunityChange.CREATED,
                format="office_hours",
                title="Ask me anything",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                host=who,
            ),
            ChampionChanged(person=who, status="approved", departments=["Finance"]),
        ]
    return [CloudEvent.wrap(p, source="uptake/api") for p in payloads]


async def test_announcements_naming_an_erased_person_are_not_taken_in(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, ERASED, {ERASED})

    async with session_factory(engine)() as session:
        offered = await take_community(
            session, announcements(ERASED, KEPT), [CHANNEL], timedelta(0), BRUSSELS
        )
        await session.commit()

    assert offered == 6  # the kept person's six, one card each
    assert await sql_traces(engine, (ERASED,)) == []
    assert await sql_traces(engine, (KEPT,)) != []


async def test_an_erasure_takes_them_out_of_every_community_card_waiting_to_be_sent(
    engine: AsyncEngine, redis: Redis
) -> None:
    await add_people(
        engine, *(Person(person=p, department="Finance") for p in (ERASED, KEPT, OTHER))
    )
    sessions = session_factory(engine)
    async with sessions() as session:
        await take_community(
            session, announcements(ERASED, KEPT), [CHANNEL], timedelta(0), BRUSSELS
        )
        await session.commit()
    async with sessions() as session:  # two of the kudos cards fold into one digest
        await fold_burst(session, CHANNEL, datetime.now(UTC), threshold=1, fold=KUDOS_FOLD)
    assert await sql_traces(engine, (ERASED,)) != []  # the check below can see a trace

    erasure = await privacy.erase(engine, redis, ERASED, "erasure-test-key", "dpo@test")

    assert await sql_traces(engine, (ERASED,)) == []
    # their two kudos (folded), story, event and welcome; the digest loses their pairs
    assert (erasure.counts["notify_outbox"], erasure.counts["notify_outbox_scrubbed"]) == (5, 1)
    async with sessions() as session:
        rows = (await session.exec(select(OutboxEntry))).all()
    kinds = sorted(row.kind for row in rows)
    # the kept person's kudos (folded), story, event and welcome; both tips (a tip names
    # nobody); the kudos digest, which keeps the others' thank-yous
    assert kinds == ["champion", "event", "kudos", "kudos", "kudos_burst", "story", "tip", "tip"]
    [digest] = [load_facts(row.facts) for row in rows if row.kind == "kudos_burst"]
    assert isinstance(digest, KudosBurstFacts) and digest.total == 4
    assert sorted(map(sorted, digest.pairs)) == [
        [KEPT, OTHER],
        [KEPT, OTHER],
        [OTHER],
        [OTHER],
    ]


def newsletter_naming(*named: str) -> CloudEvent[Any]:
    text = NewsletterText(
        title="Copilot this week",
        intro="What colleagues did with Copilot.",
        sections=[NewsletterSection(kind="stories", heading="Successes", items=["A story"])],
    )
    payload = NewsletterPublished(
        newsletter=f"n-{'-'.join(named) or 'nobody'}",
        cadence="weekly",
        since=DAY - timedelta(days=2),
        until=DAY + timedelta(days=4),
        texts={"en": text},
        named=list(named),
    )
    return CloudEvent.wrap(payload, source="uptake/api")


async def test_a_newsletter_naming_an_erased_author_is_not_posted(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await suppression.add(conn, ERASED, {ERASED})

    async with session_factory(engine)() as session:
        offered = await take_community(
            session,
            [newsletter_naming(ERASED, KEPT), newsletter_naming(KEPT), newsletter_naming()],
            [CHANNEL],
            timedelta(0),
            BRUSSELS,
        )
        await session.commit()

    assert offered == 2  # the issue naming the erased author is dropped whole
    assert await sql_traces(engine, (ERASED,)) == []
