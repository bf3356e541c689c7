"""Rule administration for the api: validate, preview, publish, history, roll back.

Stable functions (the api imports these):

- :func:`validate` -- check a YAML/JSON rule-set text, problems with their paths, and
  warnings (texts missing in a language) that do not stop a publish.
- :func:`preview` -- replay the stored signals under a draft; who gains and loses, and
  the same warnings. Replays (here and in :func:`publish`) score a bounded number of
  signals at a time in a worker thread (:mod:`services.scoring.replay`).
- :func:`publish` -- store a new version, replay it into the ledger and make it
  the version in force in one transaction; announce it on ``control.rules``.
- :func:`history` -- every stored version, newest first.
- :func:`rollback` -- publish an earlier version's rules again, as a new version.

The scoring service notices a new version within a second (it checks before
every batch and when idle) and rebuilds the boards from the new ledger rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from nats.js import JetStreamContext
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring.domain.model import Award, AwardKind
from services.scoring.domain.rules import (
    Problem,
    RuleSet,
    RuleSetError,
    language_gaps,
    parse_rules,
)
from services.scoring.replay import REPLAY_SIGNALS, replay_in_parts
from services.scoring.store import ledger, rulesets
from shared.bus import publish as publish_event
from shared.events import CloudEvent, RulesPublished
from shared.logs import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Validation:
    ok: bool
    problems: list[Problem]
    rules: RuleSet | None = None
    warnings: list[Problem] = field(default_factory=list)


def validate(source: str) -> Validation:
    """Parse and validate a rule-set text; never raises for bad input."""
    try:
        rules = parse_rules(source)
    except RuleSetError as exc:
        return Validation(False, exc.problems)
    return Validation(True, [], rules, language_gaps(rules))


@dataclass(frozen=True)
class PersonChange:
    person: str
    points_before: int
    points_after: int
    rank_before: int | None
    rank_after: int | None
    badges_gained: list[str]
    badges_lost: list[str]

    @property
    def delta(self) -> int:
        return self.points_after - self.points_before


@dataclass
class Preview:
    based_on: int | None
    people: int = 0
    gainers: int = 0
    losers: int = 0
    points_before: int = 0
    points_after: int = 0
    badges_gained: int = 0
    badges_lost: int = 0
    changes: list[PersonChange] = field(default_factory=list)  # biggest changes first
    warnings: list[Problem] = field(default_factory=list)  # texts missing in a language


@dataclass(frozen=True)
class Standing:
    points: dict[str, int]
    badges: dict[str, set[str]]


def standing_of(awards: list[Award]) -> Standing:
    standing = Standing({}, {})
    add_to(standing, awards)
    return standing


def add_to(standing: Standing, awards: list[Award]) -> None:
    """Count ``awards`` into ``standing`` (points added, badges collected)."""
    for award in awards:
        if award.kind == AwardKind.POINTS:
            standing.points[award.person] = standing.points.get(award.person, 0) + award.points
        elif award.kind == AwardKind.BADGE and award.ref:
            standing.badges.setdefault(award.person, set()).add(award.ref)


def ranks(points: dict[str, int]) -> dict[str, int]:
    """Competition ranking by points (1, 2, 2, 4), people without points unranked."""
    ordered = sorted((p for p in points if points[p] > 0), key=lambda p: (-points[p], p))
    out: dict[str, int] = {}
    for index, person in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        same = previous is not None and points[previous] == points[person]
        out[person] = out[previous] if same and previous else index + 1
    return out


async def current_standing(conn: AsyncConnection, version: int | None) -> Standing:
    if version is None:
        return Standing({}, {})
    table = ledger.LEDGER
    points: dict[str, int] = defaultdict(int)
    badges: dict[str, set[str]] = defaultdict(set)
    rows = await conn.execute(
        select(table.c.person, table.c.kind, table.c.points, table.c.ref).where(
            table.c.ruleset_version == version
        )
    )
    for person, kind, value, ref in rows:
        if kind == AwardKind.POINTS:
            points[person] += int(value)
        elif kind == AwardKind.BADGE and ref:
            badges[person].add(ref)
    return Standing(dict(points), dict(badges))


def compare(before: Standing, after: Standing, based_on: int | None, limit: int) -> Preview:
    preview = Preview(based_on=based_on)
    rank_before, rank_after = ranks(before.points), ranks(after.points)
    people = set(before.points) | set(after.points) | set(before.badges) | set(after.badges)
    preview.people = len(people)
    changes = []
    for person in people:
        was, now = before.points.get(person, 0), after.points.get(person, 0)
        had, has = before.badges.get(person, set()), after.badges.get(person, set())
        preview.points_before += was
        preview.points_after += now
        preview.gainers += now > was
        preview.losers += now < was
        preview.badges_gained += len(has - had)
        preview.badges_lost += len(had - has)
        moved = rank_before.get(person) != rank_after.get(person)
        if was != now or had != has or moved:
            changes.append(
                PersonChange(
                    person,
                    was,
                    now,
                    rank_before.get(person),
                    rank_after.get(person),
                    sorted(has - had),
                    sorted(had - has),
                )
            )
    changes.sort(key=lambda c: (-abs(c.delta), c.person))
    preview.changes = changes[:limit]
    return preview


async def preview(
    engine: AsyncEngine,
    source: str,
    tz: ZoneInfo,
    limit: int = 100,
    max_signals: int = REPLAY_SIGNALS,
) -> Preview:
    """What publishing ``source`` would change; raises :class:`RuleSetError` when invalid.

    The replay holds at most ``max_signals`` signals at a time and runs off the event loop.
    """
    rules = parse_rules(source)
    after = Standing({}, {})
    async with engine.connect() as conn:
        version = await rulesets.active_version(conn)
        before = await current_standing(conn, version)
        async for part in replay_in_parts(conn, rules, (version or 0) + 1, tz, max_signals):
            add_to(after, part.awards)
    found = compare(before, after, version, limit)
    found.warnings = language_gaps(rules)
    return found


async def _lock_signals(conn: AsyncConnection) -> None:
    # Batches being scored finish first; new ones wait, then score under the new version.
    # Grants are replayed like signals, so their table is locked alike.
    if conn.dialect.name == "postgresql":
        await conn.execute(
            text("LOCK TABLE scoring_signal, scoring_recognition IN SHARE ROW EXCLUSIVE MODE")
        )


async def publish(
    engine: AsyncEngine,
    js: JetStreamContext | None,
    source: str,
    tz: ZoneInfo,
    by: str | None = None,
    note: str | None = None,
    max_signals: int = REPLAY_SIGNALS,
) -> int:
    """Store, replay and put a rule set in force atomically; returns the new version.

    The replay holds at most ``max_signals`` signals at a time and runs off the event loop.
    """
    rules = parse_rules(source)
    awards = signals = 0
    async with engine.begin() as conn:
        await _lock_signals(conn)
        version = await rulesets.add(conn, rules, source, by, note)
        async for part in replay_in_parts(conn, rules, version, tz, max_signals):
            await ledger.insert_awards(conn, part.awards)
            awards, signals = awards + len(part.awards), signals + part.signals
        await rulesets.mark_published(conn, version, by)
    gaps = language_gaps(rules)
    log.info(
        "rules published",
        version=version,
        awards=awards,
        signals=signals,
        texts_missing_a_language=len(gaps),
    )
    if js is not None:
        event = CloudEvent.wrap(
            RulesPublished(version=version, published_by=by), source="uptake/scoring"
        )
        await publish_event(js, event)
    return version


@dataclass(frozen=True)
class VersionInfo:
    version: int
    name: str
    created_at: datetime
    created_by: str | None
    published_at: datetime | None
    published_by: str | None
    note: str | None
    active: bool
    source: str


async def history(engine: AsyncEngine) -> list[VersionInfo]:
    async with engine.connect() as conn:
        active = await rulesets.active_version(conn)
        stored = await rulesets.all_versions(conn)
    return [
        VersionInfo(
            s.version,
            s.name,
            s.created_at,
            s.created_by,
            s.published_at,
            s.published_by,
            s.note,
            s.version == active,
            s.source,
        )
        for s in stored
    ]


async def rollback(
    engine: AsyncEngine,
    js: JetStreamContext | None,
    to_version: int,
    tz: ZoneInfo,
    by: str | None = None,
    max_signals: int = REPLAY_SIGNALS,
) -> int:
    """Put an earlier version's rules back in force, as a new version (history stays)."""
    async with engine.connect() as conn:
        stored = await rulesets.load(conn, to_version)
    if stored is None:
        raise LookupError(f"no rule set version {to_version}")
    note = f"rollback to v{to_version}"
    return await publish(engine, js, stored.source, tz, by, note, max_signals)


async def ensure_published(
    engine: AsyncEngine, js: JetStreamContext | None, source: str, tz: ZoneInfo
) -> int:
    """Publish ``source`` as version 1 unless a version is in force; returns that version."""
    async with engine.connect() as conn:
        version = await rulesets.active_version(conn)
    if version is not None:
        return version
    try:
        return await publish(engine, js, source, tz, by="scoring", note="default rules")
    except Exception:
        # Another replica won the race to publish version 1.
        async with engine.connect() as conn:
            version = await rulesets.active_version(conn)
        if version is None:
            raise
        return version


__all__ = [
    "PersonChange",
    "Preview",
    "RuleSetError",
    "Validation",
    "VersionInfo",
    "ensure_published",
    "history",
    "preview",
    "publish",
    "rollback",
    "validate",
]
