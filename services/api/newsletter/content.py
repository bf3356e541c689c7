"""What happened in a newsletter's period, gathered once for every language.

- **Successes**: stories approved in the period (withdrawn ones are gone), the most
  minutes saved first. The author is named only when the story says so and they may
  still be named: in the directory, not removed and never erased; the department only
  when it is big enough to be shown.
- **Top teams per capita**: the office screen's team board for the same week or month
  (:func:`services.api.boards.read_board`): points per licensed member, teams below
  the minimum group size left out and counted as hidden.
- **New badges**: how many people earned each badge in the period (scoring's ledger
  rows of kind ``badge`` dated in it), titled from the rule set in force; no names.
- **Tip**: one use case of the library, chosen by :func:`pick_tip`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.boards import BoardQuery, read_board
from services.api.community import library
from services.api.community.names import department_shown
from services.api.community.stories import Story, StoryStatus
from services.api.directory import Snapshot
from services.api.newsletter.periods import Period
from services.api.published import RulesDocument
from shared import suppression
from shared.languages import LANGUAGES, Language
from shared.leaderboards import Scope
from shared.people import Person

MAX_STORIES = 5
MAX_TEAMS = 5
MAX_BADGES = 8

BADGE_COUNTS = text(
    "SELECT ref, COUNT(DISTINCT person), MAX(title) FROM scoring_ledger "
    "WHERE kind = 'badge' AND day >= :since AND day <= :until AND ref IS NOT NULL "
    "GROUP BY ref"
)
# People active in each app in the period, among licensed people still in the directory.
APP_ACTIVE = text(
    "SELECT s.app, COUNT(DISTINCT s.person) FROM scoring_signal s "
    "JOIN person p ON p.person = s.person "
    "WHERE s.day >= :since AND s.day <= :until AND p.licensed AND NOT p.removed "
    "GROUP BY s.app"
)
LICENSED = text("SELECT COUNT(*) FROM person WHERE licensed AND NOT removed")


@dataclass(frozen=True)
class StoryLine:
    text: str
    app: str
    minutes_saved: int
    author: str | None  # a display name, only when they may be named
    department: str | None  # only when big enough to be shown
    person: str | None = None  # the author's pseudonymous id, when ``author`` names them


@dataclass(frozen=True)
class TeamLine:
    team: str
    points_per_member: float
    members: int


@dataclass(frozen=True)
class BadgeLine:
    badge: str
    titles: dict[str, str]  # per language
    people: int


@dataclass(frozen=True)
class Tip:
    use_case: str
    app: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    prompts: dict[str, list[str]]
    reason: Literal["lowest_share", "rotation"]
    share: float | None = None  # the app's active share in the period, when it was chosen so


@dataclass(frozen=True)
class Content:
    period: Period
    stories: list[StoryLine] = field(default_factory=list)
    stories_total: int = 0
    teams: list[TeamLine] = field(default_factory=list)
    hidden_teams: int = 0
    badges: list[BadgeLine] = field(default_factory=list)
    badge_people: int = 0  # people who earned at least one badge, for the intro
    tip: Tip | None = None

    @property
    def named(self) -> list[str]:
        """The people the issue names."""
        return sorted({line.person for line in self.stories if line.person})


@dataclass(frozen=True)
class Sources:
    """Where the content comes from: the gateway's resources, passed apart for tests."""

    engine: AsyncEngine
    redis: Redis
    snapshot: Snapshot
    rules: RulesDocument
    min_group_size: int


async def gather(sources: Sources, period: Period) -> Content:
    async with AsyncSession(sources.engine) as session:
        stories, total = await _stories(session, sources, period)
        badges, people = await _badges(session, sources.rules, period)
        tip = await _tip(session, period)
    board = await read_board(
        sources.redis,
        sources.snapshot,
        BoardQuery(Scope.TEAMS, period.window, period.key, MAX_TEAMS),
        sources.min_group_size,
    )
    teams = [TeamLine(e.label, e.value, e.members or 0) for e in board.entries]
    return Content(period, stories, total, teams, board.hidden_groups, badges, people, tip)


async def _stories(
    session: AsyncSession, sources: Sources, period: Period
) -> tuple[list[StoryLine], int]:
    approved = (
        col(Story.status) == StoryStatus.APPROVED.value,
        col(Story.approved_on) >= period.since,
        col(Story.approved_on) <= period.until,
    )
    total = (await session.exec(select(func.count()).select_from(Story).where(*approved))).one()
    rows = list(
        (
            await session.exec(
                select(Story)
                .where(*approved)
                .order_by(col(Story.minutes_saved).desc(), col(Story.approved_at), col(Story.id))
                .limit(MAX_STORIES)
            )
        ).all()
    )
    names = await may_be_named(session, {row.author for row in rows if row.named})
    lines = [
        StoryLine(
            text=row.text,
            app=row.app,
            minutes_saved=row.minutes_saved,
            author=names.get(row.author) if row.named else None,
            person=row.author if row.named and row.author in names else None,
            department=department_shown(sources.snapshot, row.department, sources.min_group_size),
        )
        for row in rows
    ]
    return lines, int(total)


async def may_be_named(session: AsyncSession, people: set[str]) -> dict[str, str]:
    """Display names of ``people`` still in the directory and never erased."""
    if not people:
        return {}
    erased = await suppression.among(await session.connection(), people)
    found = await session.exec(
        select(Person.person, Person.display_name).where(
            col(Person.person).in_(sorted(people - erased)), col(Person.removed).is_(False)
        )
    )
    return {person: name for person, name in found.all() if name}


async def _badges(
    session: AsyncSession, rules: RulesDocument, period: Period
) -> tuple[list[BadgeLine], int]:
    bounds = {"since": period.since, "until": period.until}
    conn = await session.connection()
    try:
        rows = (await conn.execute(BADGE_COUNTS, bounds)).all()
        people = (
            await conn.execute(
                text(
                    "SELECT COUNT(DISTINCT person) FROM scoring_ledger WHERE kind = 'badge' "
                    "AND day >= :since AND day <= :until"
                ),
                bounds,
            )
        ).scalar_one()
    except SQLAlchemyError:  # scoring has not created its tables yet
        await session.rollback()
        return [], 0
    titles = {badge.id: badge.title for badge in rules.badges}
    lines = []
    for badge, count, stored_title in rows:
        title = titles.get(badge)
        by_language: dict[str, str] = (
            {lang: title.in_language(lang) for lang in LANGUAGES}
            if title is not None
            else {lang: str(stored_title or badge) for lang in LANGUAGES}
        )
        lines.append(BadgeLine(str(badge), by_language, int(count)))
    lines.sort(key=lambda line: (-line.people, line.titles["en"].casefold(), line.badge))
    return lines[:MAX_BADGES], int(people or 0)


def pick_tip(
    candidates: list[tuple[str, str]], shares: dict[str, float] | None, ordinal: int
) -> tuple[str, Literal["lowest_share", "rotation"]] | None:
    """The tip of a period among ``candidates`` (use case id, app), in library order.

    When usage in the period is known (``shares``: active people / licensed people per
    app), the tip is about the app with the lowest share among those the library has a
    use case for (ties: the app's name), so the newsletter points where Copilot is used
    least; among that app's use cases the period's ``ordinal`` rotates. Without usage
    (no one active, or no figures), the period's ordinal rotates through the whole
    library. The same inputs always give the same tip.
    """
    if not candidates:
        return None
    if shares:
        apps = sorted({app for _, app in candidates}, key=lambda a: (shares.get(a, 0.0), a))
        lowest = [uc for uc, app in candidates if app == apps[0]]
        return lowest[ordinal % len(lowest)], "lowest_share"
    return candidates[ordinal % len(candidates)][0], "rotation"


async def app_shares(session: AsyncSession, period: Period) -> dict[str, float] | None:
    """Active share per app in the period; None when nobody was active or none is known."""
    bounds = {"since": period.since, "until": period.until}
    conn = await session.connection()
    try:
        active = {str(app): int(n) for app, n in (await conn.execute(APP_ACTIVE, bounds))}
        licensed = int((await conn.execute(LICENSED)).scalar_one() or 0)
    except SQLAlchemyError:
        await session.rollback()
        return None
    if not active or not licensed:
        return None
    return {app: n / licensed for app, n in active.items()}


async def _tip(session: AsyncSession, period: Period) -> Tip | None:
    everyone = [row for row in await library.listing(session) if row.department is None]
    shares = await app_shares(session, period)
    picked = pick_tip([(row.id, row.app) for row in everyone], shares, period.ordinal())
    if picked is None:
        return None
    use_case, reason = picked
    row = next(row for row in everyone if row.id == use_case)
    content = row.read()
    languages: tuple[Language, ...] = LANGUAGES
    return Tip(
        use_case=row.id,
        app=row.app,
        titles={lang: content.title.get(lang) for lang in languages},
        descriptions={lang: content.description.get(lang) for lang in languages},
        prompts={lang: content.prompts.get(lang) for lang in languages},
        reason=reason,
        share=(shares or {}).get(row.app, 0.0) if reason == "lowest_share" else None,
    )
