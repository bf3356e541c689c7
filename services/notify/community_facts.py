"""What the community's cards say, as typed facts (see :mod:`services.notify.facts`).

People are pseudonyms, named only when the card is sent and only if they may be;
a field holding a person (``giver``, ``receiver``, ``author``, ``host``, ``person``)
makes the card theirs, so an erasure takes it out of the outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events import AdoptionGap


class _Community(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def in_language(texts: dict[str, str], language: str) -> str:
    """The text in ``language``, else English, else any there is."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class TipFacts(_Community):
    """A use case a champion sends to a department's channel."""

    kind: Literal["tip"] = "tip"
    tip: str
    department: str
    use_case: str
    app: str
    titles: dict[str, str]
    prompts: dict[str, list[str]] = {}
    gap: AdoptionGap | None = None  # the adoption gap a nudge answers, when it is one

    def prompts_in(self, language: str) -> list[str]:
        return (
            self.prompts.get(language)
            or self.prompts.get("en")
            or next(iter(self.prompts.values()), [])
        )


class StoryFacts(_Community):
    """An approved success story; ``author`` only when they chose to be named."""

    kind: Literal["story"] = "story"
    story: str
    app: str
    minutes_saved: int
    text: str
    department: str | None = None
    author: str | None = None


class KudosFacts(_Community):
    """One colleague thanked another; the message itself stays in the gateway."""

    kind: Literal["kudos"] = "kudos"
    kudos: str
    giver: str
    receiver: str
    value: str
    day: date


class Tally(_Community):
    label: str
    count: int


class KudosBurstFacts(_Community):
    """Many kudos at once, told as one card. ``pairs`` hold ``[giver, receiver]``: an
    erasure takes the person out of a pair, and a pair short of two names no one."""

    kind: Literal["kudos_burst"] = "kudos_burst"
    total: int
    values: list[Tally]
    pairs: list[list[str]] = []


Notice = Literal["new", "changed", "cancelled"]


class EventFacts(_Community):
    """A champion event announced, changed or cancelled; times in the organisation's zone."""

    kind: Literal["event"] = "event"
    event: str
    notice: Notice
    version: int
    format: str
    title: str
    starts_at: datetime
    ends_at: datetime
    departments: list[str] = []
    host: str | None = None


class ChampionFacts(_Community):
    """A new champion, for the departments they serve."""

    kind: Literal["champion"] = "champion"
    person: str
    version: int
    departments: list[str] = []
    apps: list[str] = []


CommunityFacts = TipFacts | StoryFacts | KudosFacts | KudosBurstFacts | EventFacts | ChampionFacts
COMMUNITY_FACTS = (TipFacts, StoryFacts, KudosFacts, KudosBurstFacts, EventFacts, ChampionFacts)


def people_named(facts: CommunityFacts) -> set[str]:
    """Every pseudonym a rendering of these facts might name."""
    match facts:
        case KudosFacts():
            return {facts.giver, facts.receiver}
        case KudosBurstFacts():
            return {person for pair in facts.pairs for person in pair}
        case StoryFacts():
            return {facts.author} if facts.author else set()
        case EventFacts():
            return {facts.host} if facts.host else set()
        case ChampionFacts():
            return {facts.person}
    return set()
