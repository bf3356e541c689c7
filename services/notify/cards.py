"""Adaptive Cards (schema 1.5, the most Teams Workflows accept) and plain-text twins for Engage.

A card names a person only when their pseudonym is in ``names``, which the
caller fills with opted-in people alone; otherwise it speaks of the team or of
"a colleague". :func:`as_told` first takes out every team and department below
the minimum group size (``shared.small_groups``), so "Someone in Legal" never
points at one of two people.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from services.notify.blocks import fact_set, heading, paragraph
from services.notify.community_cards import community_content, community_told
from services.notify.community_facts import COMMUNITY_FACTS
from services.notify.facts import (
    BadgeFacts,
    BurstFacts,
    ChallengeFacts,
    Facts,
    LevelFacts,
    SpotlightFacts,
    WeeklyFacts,
)
from services.notify.newsletter_cards import newsletter_content
from services.notify.newsletter_facts import NewsletterFacts
from services.notify.texts import join_names, place, t
from shared.languages import Language
from shared.small_groups import GroupSizes, shown_team

CARD_VERSION = "1.5"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_CARD_BYTES = 28 * 1024 - 512  # room for the Workflows envelope around the card
MAX_LIST = 5

Card = dict[str, Any]


def as_told(facts: Facts, names: Mapping[str, str], sizes: GroupSizes, min_size: int) -> Facts:
    """``facts`` without the teams and departments too small to mention.

    A named person's own team stays: they agreed to be named, and it tells nothing
    about anyone else.
    """
    match facts:
        case BadgeFacts() | LevelFacts():
            if facts.person in names:
                return facts
            return facts.model_copy(update={"team": shown_team(facts.team, sizes, min_size)})
        case ChallengeFacts():
            if facts.scope == "team" and not sizes.team_shown(facts.winner, min_size):
                return facts.model_copy(update={"winner": "", "team": None})
            if facts.scope == "department" and not sizes.department_shown(facts.winner, min_size):
                return facts.model_copy(update={"winner": "", "department": None})
            if facts.scope == "person" and facts.winner not in names:
                return facts.model_copy(update={"team": shown_team(facts.team, sizes, min_size)})
            return facts
        case BurstFacts():
            teams = [c for c in facts.teams if sizes.team_shown(c.label, min_size)]
            return facts.model_copy(update={"teams": teams})
    if isinstance(facts, COMMUNITY_FACTS):
        return community_told(facts, names, sizes, min_size)
    return facts


def _personal(
    prefix: str, facts: BadgeFacts | LevelFacts, lang: Language, names: Mapping[str, str]
) -> tuple[str, str]:
    values: dict[str, object] = {"title": facts.title_in(lang)}
    if isinstance(facts, LevelFacts):
        values["level"] = facts.level
    name = names.get(facts.person)
    team = facts.team or t("no_team", lang)
    if name:
        body = t(f"{prefix}.named", lang, name=name, team=team, **values)
    elif facts.team:
        body = t(f"{prefix}.team", lang, team=facts.team, **values)
    else:
        body = t(f"{prefix}.anonymous", lang, **values)
    return t(f"{prefix}.heading", lang, **values), body


def _content(facts: Facts, lang: Language, names: Mapping[str, str]) -> tuple[str, list[Any]]:
    """The heading and the body elements of a card for these facts."""
    match facts:
        case BadgeFacts() | LevelFacts():
            title, body = _personal(facts.kind, facts, lang, names)
            return title, [heading(title), paragraph(body)]
        case ChallengeFacts():
            contest = facts.title_in(lang)
            title = t("challenge.heading", lang, title=contest)
            winner = facts.winner or t(f"a_{facts.scope}", lang)
            if facts.scope == "person":
                winner = names.get(facts.winner) or (
                    t("someone_in", lang, team=facts.team) if facts.team else t("colleague", lang)
                )
            text = t(
                "challenge.winner",
                lang,
                winner=winner,
                rank=facts.rank,
                place=place(facts.rank, lang),
                title=contest,
            )
            rows = [(t("challenge.score", lang), f"{facts.value:g}")]
            return title, [heading(title), paragraph(text), *fact_set(None, rows)]
        case BurstFacts():
            title = t("burst.heading", lang, total=facts.total)
            blocks = [heading(title), paragraph(t("burst.intro", lang))]
            blocks += fact_set(
                t("burst.titles", lang),
                [(c.label_in(lang), str(c.count)) for c in facts.titles[:MAX_LIST]],
            )
            blocks += fact_set(
                t("burst.teams", lang), [(c.label, str(c.count)) for c in facts.teams[:MAX_LIST]]
            )
            named = [names[p] for p in facts.people if p in names][:MAX_LIST]
            if named:
                blocks.append(paragraph(t("burst.named", lang, names=join_names(named, lang))))
            return title, blocks
        case WeeklyFacts():
            title = t("weekly.heading", lang, week=facts.week)
            blocks = [heading(title)]
            blocks += fact_set(
                t("weekly.top", lang), [(s.team, f"{s.value:.1f}") for s in facts.top_teams]
            )
            blocks += fact_set(
                t("weekly.climbers", lang), [(s.team, f"+{s.value:.1f}") for s in facts.climbers]
            )
            if facts.new_habits:
                blocks.append(paragraph(t("weekly.habits", lang, count=facts.new_habits)))
            if len(blocks) == 1:
                blocks.append(paragraph(t("weekly.quiet", lang)))
            return title, blocks
        case SpotlightFacts():
            title = t("spotlight.heading", lang)
            name = names.get(facts.person, "—")
            team = facts.team or t("no_team", lang)
            text = t(
                "spotlight.body", lang, name=name, team=team, week=facts.week, points=facts.points
            )
            blocks = [heading(title), paragraph(text)]
            blocks += fact_set(
                t("spotlight.badges", lang), [(b, "🏅") for b in facts.badges_in(lang)[:MAX_LIST]]
            )
            return title, blocks
    if isinstance(facts, COMMUNITY_FACTS):
        return community_content(facts, lang, names)
    if isinstance(facts, NewsletterFacts):
        return newsletter_content(facts.text)
    raise ValueError(f"no card for {facts!r}")


def render_card(
    facts: Facts, lang: Language, names: Mapping[str, str], app_url: str | None = None
) -> Card:
    title, body = _content(facts, lang, names)
    card: Card = {
        "$schema": SCHEMA_URL,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": lang,
        "fallbackText": title,
        "body": body,
    }
    if app_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t("open", lang), "url": app_url}]
    if card_bytes(card) > MAX_CARD_BYTES:
        card["body"] = body[:2]
    return card


def card_bytes(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def render_text(facts: Facts, lang: Language, names: Mapping[str, str]) -> str:
    """A plain-text rendering of the same card, for Viva Engage messages."""
    _, body = _content(facts, lang, names)
    lines: list[str] = []
    for block in body:
        if block["type"] == "TextBlock" and block["text"]:
            lines.append(block["text"].replace("**", ""))
        elif block["type"] == "FactSet":
            lines += [f"• {f['title']}: {f['value']}" for f in block["facts"]]
    return "\n".join(lines)
