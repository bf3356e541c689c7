"""The usage tiers as the rule set in force defines them, in the page's language.

Scoring judges each person's tier (:func:`services.scoring.domain.progress.tier_of`):
the first tier whose conditions all hold, over the last ``weeks`` weeks; "none" for
people with no action. The cube counts people per tier id; this module gives the
tiers' order, titles and their conditions in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.cockpit.texts import say
from services.api.i18n import Lang
from services.scoring.domain.rules import RuleSet, TierRules
from services.scoring.rulebook import Rulebook, default_rules

NON_USER = "none"


@dataclass(frozen=True)
class TierWords:
    id: str
    title: str
    definition: str


def _number(value: float) -> str:
    return f"{value:g}"


def tier_words(rules: TierRules, lang: Lang) -> list[TierWords]:
    """Each tier (the non-users last) with its title and conditions in ``lang``."""
    words: list[TierWords] = []
    for tier in rules.tiers:
        parts = []
        if tier.min_active_weeks:
            parts.append(
                say(lang, "ck_tier_active_weeks", n=tier.min_active_weeks, weeks=rules.weeks)
            )
        if tier.min_weekly_actions:
            parts.append(say(lang, "ck_tier_weekly", n=_number(tier.min_weekly_actions)))
        if tier.min_actions or not parts:
            parts.append(say(lang, "ck_tier_actions", n=max(tier.min_actions, 1)))
        definition = say(lang, "ck_tier_and").join(parts)
        words.append(TierWords(tier.id, tier.title.in_language(lang), definition))
    words.append(TierWords(NON_USER, rules.fallback.in_language(lang), say(lang, "ck_tier_none")))
    return words


async def rules_in_force(engine: AsyncEngine, rulebook: Rulebook) -> RuleSet:
    """The published rule set, or the default one before anything is published (or while
    scoring has not created its tables)."""
    try:
        async with engine.connect() as conn:
            return (await rulebook.current(conn)).rules
    except (LookupError, SQLAlchemyError):
        return default_rules()
