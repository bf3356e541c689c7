"""GDPR export and erasure of one person, across SQL, the Redis boards and the streams.

Scoring owns the ledger, the boards and the streams' upkeep, so it owns erasing
them. The tables of notify and ingest are reflected by name (importing those
services would make scoring create their tables) and skipped when absent.

An erasure, step by step (one SQL transaction for the first three):

1. it takes the erasure lock (:func:`shared.suppression.exclusive`): services
   writing about people finish first, and the ones after it see the list;
2. it lists every key of the person (pseudonym, report identity) on the
   suppression list, so nothing about them is published, stored or scored again;
3. it deletes their rows everywhere, and takes them out of notify digests that
   also name others;
4. it takes them off every Redis board and sets their groups' boards from SQL (and
   has scoring rebuild all boards at its next safe moment, for batches in flight);
5. it writes the audit entry (pseudonym, admin, counts: nothing else);
6. given the bus, it scrubs the streams at once; otherwise scoring does when it is
   next idle (:mod:`services.scoring.privacy_streams`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import MetaData, Table, delete, false, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from services.scoring import boards, privacy_boards, privacy_streams, projection
from services.scoring.privacy_subject import Subject, identify, resolve
from services.scoring.rulebook import Rulebook
from services.scoring.scrub import scrub
from services.scoring.store import usage
from services.scoring.store.privacy import PrivacyAudit, utcnow
from shared import suppression
from shared.events import App, CloudEvent, CommunityChange, StoryPublished
from shared.logs import get_logger

__all__ = ["Erasure", "erase", "export", "resolve"]

log = get_logger(__name__)
AUDIT: Table = PrivacyAudit.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Place:
    """Where a person's rows live: a table, a column, and which of their ids it holds."""

    name: str
    table: str
    column: str
    # "person": a pseudonym; "mentions": JSON text naming one; "object_id"; "report": a
    # report identity; "fact_id": ingest's fact keys; "award_event": notify's award ids
    match: str


PLACES = (
    Place("person", "person", "person", "person"),
    Place("signals", "scoring_signal", "person", "person"),
    Place("ledger", "scoring_ledger", "person", "person"),
    # The insight rollup's first level; the group cube is rebuilt without them.
    Place("insight_usage", "insight_usage_week", "person", "person"),
    Place("recognition", "scoring_recognition", "person", "person"),
    Place("recognition_grants", "api_recognition_grant", "person", "person"),
    # The champions programme: applications, hosted events (attendees keep their points),
    # check-ins, wrong-code counts, tips sent and activities submitted.
    Place("champion", "api_champion", "person", "person"),
    Place("champion_events", "api_champion_event", "host", "person"),
    Place("champion_checkins", "api_champion_checkin", "person", "person"),
    Place("champion_checkin_failures", "api_champion_checkin_failure", "person", "person"),
    Place("champion_tips", "api_champion_tip", "sent_by", "person"),
    Place("activities", "api_activity", "person", "person"),
    # The community: kudos given and received, stories, tries, redeemed codes, wrong codes.
    Place("kudos_given", "api_kudos", "giver", "person"),
    Place("kudos_received", "api_kudos", "receiver", "person"),
    Place("stories", "api_story", "author", "person"),
    Place("use_case_tries", "api_usecase_try", "person", "person"),
    Place("claims", "api_claim_code", "redeemed_by", "person"),
    Place("claim_guesses", "api_claim_guess", "person", "person"),
    Place("unattributed", "scoring_unattributed", "report_identity", "report"),
    Place("directory_origin", "directory_origin", "person", "person"),
    Place("team_mapping", "team_mapping", "source", "person"),  # a person's own override
    Place("notify_award_titles", "notify_award_titles", "event_id", "award_event"),
    Place("notify_awards", "notify_award", "person", "person"),
    Place("notify_outbox", "notify_outbox", "facts", "mentions"),
    Place("ingest_directory", "ingest_directory_user", "object_id", "object_id"),
    Place("ingest_cursors", "ingest_interaction_cursor", "object_id", "object_id"),
    Place("ingest_unattributed", "ingest_unattributed_identity", "report_identity", "report"),
    Place("ingest_usage_facts", "ingest_usage_fact", "fact_id", "fact_id"),
)
REFLECTED = {place.table for place in PLACES} | {"ingest_watermark"}
REFLECTED |= {"api_usecase", "api_usecase_version", "api_claim_batch"}  # MENTIONS only
REFLECTED |= {"api_campaign", "api_nudge_post", "newsletter_issue"}  # MENTIONS only
REFLECTED |= {"api_outbox"}  # withdrawals of the person's stories
REFLECTED |= {"scoring_insight_pending"}  # the insight cube, to be rebuilt


@dataclass(frozen=True)
class Erasure:
    person: str
    counts: dict[str, int]
    streams_pending: bool  # scoring has yet to take their messages out of the streams


async def _tables(conn: AsyncConnection) -> dict[str, Table]:
    def reflect(sync: Any) -> MetaData:
        meta = MetaData()
        meta.reflect(sync, only=lambda name, _: name in REFLECTED)
        return meta

    meta = await conn.run_sync(reflect)
    return dict(meta.tables)


def _where(place: Place, tbl: Table, subject: Subject) -> ColumnElement[bool]:
    col = tbl.c[place.column]
    if place.match == "mentions":
        return or_(false(), *(col.contains(p) for p in sorted(subject.pseudonyms)))
    values = {
        "person": subject.pseudonyms,
        "object_id": subject.object_ids,
        "report": subject.reports,
        "fact_id": subject.fact_ids,
        "award_event": subject.award_events,
    }[place.match]
    if place.match == "object_id":  # kept as Graph spelt them; compared in lower case
        return func.lower(col).in_(sorted(values))
    return col.in_(sorted(values))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def _sql_rows(
    conn: AsyncConnection, tables: dict[str, Table], subject: Subject
) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for place in PLACES:
        tbl = tables.get(place.table)
        if tbl is None:
            continue
        rows = await conn.execute(select(tbl).where(_where(place, tbl, subject)))
        out[place.name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
    listed = await conn.execute(
        select(suppression.TABLE).where(suppression.TABLE.c.key.in_(subject.keys))
    )
    out["suppressed"] = [{k: _plain(v) for k, v in row._mapping.items()} for row in listed]
    return out


async def _audit(
    conn: AsyncConnection, action: str, person: str, by: str, counts: dict[str, int]
) -> None:
    await conn.execute(
        insert(AUDIT).values(
            action=action,
            person=person,
            by=by,
            at=utcnow(),
            counts=json.dumps(counts, sort_keys=True),
        )
    )


async def export(engine: AsyncEngine, redis: Redis, who: str, key: str, by: str) -> dict[str, Any]:
    """Everything Uptake holds about the person ``who`` names (pseudonym, object id or
    userPrincipalName), as JSON-ready data; ``suppressed`` is the list's own entry."""
    async with engine.begin() as conn:
        tables = await _tables(conn)
        subject = await identify(conn, tables, who, key)
        rows = await _sql_rows(conn, tables, subject)
        positions = [
            spot
            for person in sorted(subject.pseudonyms)
            for spot in await privacy_boards.positions(redis, person)
        ]
        counts = {name: len(found) for name, found in rows.items()} | {"boards": len(positions)}
        await _audit(conn, "export", subject.person, by, counts)
    log.info("privacy export", person=subject.person, by=by, counts=counts)
    return {
        "pseudonym": subject.person,
        "exported_at": utcnow().isoformat(),
        **rows,
        "boards": positions,
    }


async def erase(
    engine: AsyncEngine,
    redis: Redis,
    who: str,
    key: str,
    by: str,
    js: JetStreamContext | None = None,
) -> Erasure:
    """Erase the person ``who`` names and keep them erased; idempotent.

    ``js``: scrub the streams now (the scoring user may rewrite them); without it,
    scoring does when it is next idle.
    """
    async with engine.begin() as conn:
        await suppression.exclusive(conn)
        tables = await _tables(conn)
        subject = await identify(conn, tables, who, key)
        await suppression.add(conn, subject.person, subject.keys)
        groups = await _groups(conn, tables, subject)
        counts: dict[str, int] = {
            "stories_withdrawn": await _withdraw_stories(conn, tables, subject)
        }
        for place in PLACES:
            tbl = tables.get(place.table)
            if tbl is None:
                continue
            if place.match == "mentions":
                counts[place.name], counts[f"{place.name}_scrubbed"] = await _erase_mentions(
                    conn, tbl, place, subject
                )
                continue
            result = await conn.execute(delete(tbl).where(_where(place, tbl, subject)))
            counts[place.name] = int(result.rowcount or 0)
        counts["recognition_granter"] = await _forget_granter(conn, tables, subject)
        counts["champion_mentions"] = await _forget_mentions(conn, tables, subject)
        await _rebuild_insights(conn, tables)
    # After the commit: a board write that came before it is undone here, and one after
    # it checks the list first (Scorer.settle).
    counts["boards"] = 0
    for person in sorted(subject.pseudonyms):
        counts["boards"] += await privacy_boards.erase(redis, person)
    await _refresh_groups(engine, redis, groups)
    # A batch committed before the erasure may be settled after this refresh and count its
    # points in the groups again: scoring rebuilds every board at its next safe moment.
    await redis.delete(boards.VERSION_KEY)
    pending = True
    if js is not None:
        scrubbed = await privacy_streams.scrub_owed(engine, js)
        counts |= scrubbed.as_counts()
        pending = False
    async with engine.begin() as conn:
        await _audit(conn, "erase", subject.person, by, counts)
    log.info("privacy erasure", person=subject.person, by=by, counts=counts, streams=pending)
    return Erasure(subject.person, counts, pending)


async def _rebuild_insights(conn: AsyncConnection, tables: dict[str, Table]) -> None:
    """Have scoring rebuild the whole insight cube without the person (counts only, but a
    group's counts would still include them until then)."""
    if "scoring_insight_pending" in tables:
        await usage.mark_everything(conn)


async def _withdraw_stories(
    conn: AsyncConnection, tables: dict[str, Table], subject: Subject
) -> int:
    """Tell notify and the screens that the person's approved stories are gone.

    A story whose author chose not to be named carries no person id on the bus, so the
    stream scrub cannot find its announcement: the withdrawal (no text) makes notify drop
    its unsent cards and the screens stop showing it. Written to the gateway's outbox in
    the erasure's transaction; the gateway relays it.
    """
    stories, outbox = tables.get("api_story"), tables.get("api_outbox")
    if stories is None or outbox is None or not subject.pseudonyms:
        return 0
    rows = await conn.execute(
        select(stories.c.id, stories.c.app).where(
            stories.c.author.in_(sorted(subject.pseudonyms)), stories.c.status == "approved"
        )
    )
    withdrawn = 0
    for story_id, app in rows.all():
        removal = StoryPublished(
            story=str(story_id),
            change=CommunityChange.REMOVED,
            app=App(app) if app in App.__members__.values() else App.OTHER,
            minutes_saved=0,
            text="",
        )
        event = CloudEvent.wrap(removal, source="uptake/scoring")
        await conn.execute(
            insert(outbox).values(
                event_id=event.id,
                subject=removal.nats_subject(),
                body=event.to_bytes().decode(),
                created_at=utcnow(),
            )
        )
        withdrawn += 1
    return withdrawn


async def _forget_granter(conn: AsyncConnection, tables: dict[str, Table], subject: Subject) -> int:
    """Others' grants keep their points but no longer say the person granted or revoked
    them."""
    grants = tables.get("api_recognition_grant")
    if grants is None or not subject.pseudonyms:
        return 0
    forgotten = 0
    for column in ("granted_by", "revoked_by"):
        result = await conn.execute(
            grants.update()
            .where(grants.c[column].in_(sorted(subject.pseudonyms)))
            .values({column: None})
        )
        forgotten += int(result.rowcount or 0)
    return forgotten


# Columns naming someone in another person's row (who nominated, who decided): emptied.
MENTIONS = (
    ("api_champion", "nominated_by"),
    ("api_champion", "decided_by"),
    ("api_activity", "decided_by"),
    ("api_story", "decided_by"),
    ("api_story", "withdrawn_by"),
    ("api_usecase", "updated_by"),
    ("api_usecase_version", "changed_by"),
    ("api_claim_batch", "created_by"),
    # The cockpit's records stay (the organisation's campaigns and the nudges it posted,
    # so a department is not nudged twice a week); who made them is forgotten.
    ("api_campaign", "created_by"),
    ("api_nudge_post", "posted_by"),
    ("newsletter_issue", "sent_by"),
)


async def _forget_mentions(
    conn: AsyncConnection, tables: dict[str, Table], subject: Subject
) -> int:
    """Others' champion applications and activities no longer say the person nominated
    or decided them."""
    forgotten = 0
    for name, column in MENTIONS:
        table = tables.get(name)
        if table is None or not subject.pseudonyms:
            continue
        result = await conn.execute(
            table.update()
            .where(table.c[column].in_(sorted(subject.pseudonyms)))
            .values({column: None})
        )
        forgotten += int(result.rowcount or 0)
    return forgotten


async def _erase_mentions(
    conn: AsyncConnection, tbl: Table, place: Place, subject: Subject
) -> tuple[int, int]:
    """Delete the JSON rows that are the person's; take them out of the others' lists."""
    if not subject.pseudonyms:
        return 0, 0
    key = next(iter(tbl.primary_key.columns))
    column = tbl.c[place.column]
    deleted = scrubbed = 0
    for row_id, raw in await conn.execute(select(key, column).where(_where(place, tbl, subject))):
        owned = False
        try:
            cleaned = json.loads(raw)
            for person in subject.pseudonyms:
                cleaned, theirs = scrub(cleaned, person)
                owned = owned or theirs
        except ValueError:
            owned = True  # unreadable: it mentions them, so it goes
        if owned:
            await conn.execute(delete(tbl).where(key == row_id))
            deleted += 1
        else:
            await conn.execute(
                tbl.update().where(key == row_id).values({place.column: json.dumps(cleaned)})
            )
            scrubbed += 1
    return deleted, scrubbed


async def _groups(
    conn: AsyncConnection, tables: dict[str, Table], subject: Subject
) -> tuple[set[str], set[str]]:
    people = tables["person"]
    rows = await conn.execute(
        select(people.c.team, people.c.department).where(
            people.c.person.in_(sorted(subject.pseudonyms))
        )
    )
    teams: set[str] = set()
    departments: set[str] = set()
    for team, department in rows:
        if team:
            teams.add(team)
        if department:
            departments.add(department)
    return teams, departments


async def _refresh_groups(
    engine: AsyncEngine, redis: Redis, groups: tuple[set[str], set[str]]
) -> None:
    teams, departments = groups
    if not (teams or departments):
        return
    async with engine.connect() as conn:
        try:
            active = await Rulebook().current(conn)
        except LookupError:
            return  # no rules published: there are no boards to correct
    await projection.refresh(engine, redis, active, set(), teams, departments)
