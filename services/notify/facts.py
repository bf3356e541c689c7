"""What a notification says, as typed facts; rendered into a card or a message only when sent.

Names are resolved at send time, so a person who opts out before the post goes
out is not named.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from services.notify.community_facts import (
    COMMUNITY_FACTS,
    ChampionFacts,
    EventFacts,
    KudosBurstFacts,
    KudosFacts,
    StoryFacts,
    TipFacts,
    people_named,
)
from services.notify.newsletter_facts import NewsletterFacts


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Titled(_Facts):
    """A title from the rule set: in its language, and per language where it gives them."""

    title: str
    titles: dict[str, str] = {}

    def title_in(self, language: str) -> str:
        return self.titles.get(language) or self.title


class BadgeFacts(_Titled):
    kind: Literal["badge"] = "badge"
    person: str
    team: str | None = None
    department: str | None = None
    badge: str
    activity_date: date


class LevelFacts(_Titled):
    kind: Literal["level"] = "level"
    person: str
    team: str | None = None
    department: str | None = None
    level: int
    activity_date: date


class ChallengeFacts(_Titled):
    kind: Literal["challenge"] = "challenge"
    person: str
    team: str | None = None
    department: str | None = None
    challenge: str
    scope: Literal["person", "team", "department"]
    winner: str
    rank: int
    value: float
    activity_date: date


class Count(_Facts):
    label: str
    count: int
    titles: dict[str, str] = {}  # the label per language, when it is a rule set's title

    def label_in(self, language: str) -> str:
        return self.titles.get(language) or self.label


class BurstFacts(_Facts):
    """Many awards at once (a backfill, a busy morning) told as one digest.

    ``titles`` and ``teams`` count every card folded in, most first (a card shows the top).
    """

    kind: Literal["burst"] = "burst"
    total: int
    titles: list[Count]
    teams: list[Count]
    people: list[str] = []  # pseudonyms; only opted-in ones are ever named


class TeamScore(_Facts):
    team: str
    value: float


class WeeklyFacts(_Facts):
    kind: Literal["weekly"] = "weekly"
    week: str  # ISO week, e.g. 2026-W47
    top_teams: list[TeamScore]
    climbers: list[TeamScore]
    new_habits: int
    habit_people: list[str] = []


class Label(_Titled):
    """A badge title on its own, as a spotlight lists them."""


class SpotlightFacts(_Facts):
    kind: Literal["spotlight"] = "spotlight"
    week: str
    person: str
    team: str | None = None
    points: int
    badges: list[Label | str]  # plain strings: stored before titles had languages

    def badges_in(self, language: str) -> list[str]:
        return [b.title_in(language) if isinstance(b, Label) else b for b in self.badges]


Facts = Annotated[
    BadgeFacts
    | LevelFacts
    | ChallengeFacts
    | BurstFacts
    | WeeklyFacts
    | SpotlightFacts
    | TipFacts
    | StoryFacts
    | KudosFacts
    | KudosBurstFacts
    | EventFacts
    | ChampionFacts
    | NewsletterFacts,
    Field(discriminator="kind"),
]
FACTS: TypeAdapter[Facts] = TypeAdapter(Facts)

PERSONAL = (BadgeFacts, LevelFacts, ChallengeFacts)


def load_facts(raw: str) -> Facts:
    return FACTS.validate_json(raw)


def dump_facts(facts: Facts) -> str:
    return FACTS.dump_json(facts).decode()


def people_in(facts: Facts) -> set[str]:
    """Every pseudonym a rendering of these facts might name."""
    match facts:
        case ChallengeFacts():
            return {facts.person, facts.winner} if facts.scope == "person" else {facts.person}
        case BadgeFacts() | LevelFacts() | SpotlightFacts():
            return {facts.person}
        case BurstFacts():
            return set(facts.people)
        case WeeklyFacts():
            return set(facts.habit_people)
    if isinstance(facts, COMMUNITY_FACTS):
        return people_named(facts)
    return set()
