"""Rule content in the reader's language: challenge wording, celebrations and a profile.

Titles come from the published rule set (:class:`shared.languages.Text`); where
it lacks the reader's language, its own language stands in.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.i18n import CHALLENGE_WORDS, COMPETITORS, METRIC_WORDS, Lang
from services.api.published import ChallengeInfo
from services.api.schemas import Celebration, Profile
from services.scoring.domain.rules import RuleSet
from services.scoring.rulebook import Rulebook
from shared.languages import MONTHS


def day_month(day: date, lang: Lang) -> str:
    """``1 December``, ``1 december``, ``1er décembre``."""
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {MONTHS[lang][day.month - 1]}"


def challenge_in_words(challenge: ChallengeInfo, lang: Lang) -> str:
    """The rules of a challenge, the way a poster would say them."""
    metric = METRIC_WORDS.get(challenge.metric, METRIC_WORDS["points"])
    text = CHALLENGE_WORDS["when"][lang].format(
        start=day_month(challenge.start, lang),
        end=day_month(challenge.end, lang),
        who=COMPETITORS[challenge.scope][lang],
        what=metric[lang],
    )
    if challenge.scope != "person":
        text += CHALLENGE_WORDS["per_member"][lang].format(min_size=challenge.min_size)
    key = "winner" if challenge.winners == 1 else "winners"
    text += CHALLENGE_WORDS[key][lang].format(winners=challenge.winners)
    if challenge.settle_days:
        decided = day_month(challenge.decided_on(), lang)
        text += CHALLENGE_WORDS["decided"][lang].format(decided=decided)
    return text


def celebration_in(item: Celebration, lang: Lang) -> Celebration:
    if item.title is None:
        return item
    return item.model_copy(update={"title": item.titles.get(lang) or item.title})


async def profile_in_language(
    profile: Profile, engine: AsyncEngine, rulebook: Rulebook, lang: Lang
) -> Profile:
    """:func:`profile_in` under the rules in force (those the profile was read under)."""
    if profile.rules_version is None:
        return profile
    try:
        async with engine.connect() as conn:
            active = await rulebook.current(conn)
    except LookupError:
        return profile
    return profile_in(profile, active.rules, lang)


def profile_in(profile: Profile, rules: RuleSet, lang: Lang) -> Profile:
    """A profile with the level, badge, tier and goal titles in ``lang``.

    Looked up by id in the rule set the profile was computed under; a badge the
    rule set no longer has keeps the title it was earned with.
    """
    levels = {str(level.level): level.title.in_language(lang) for level in rules.levels}
    badges = {badge.id: badge.title.in_language(lang) for badge in rules.badges}
    tiers = {tier.id: tier.title.in_language(lang) for tier in rules.tiers.tiers}
    update: dict[str, object] = {
        "badges": [
            b.model_copy(update={"title": badges.get(b.id, b.title)}) for b in profile.badges
        ],
        "next_goals": [
            goal.model_copy(
                update={
                    "title": (levels if goal.kind == "level" else badges).get(goal.id, goal.title)
                }
            )
            for goal in profile.next_goals
        ],
    }
    if profile.level is not None:
        level = profile.level
        update["level"] = level.model_copy(
            update={
                "title": levels.get(str(level.level), level.title),
                "next_title": levels.get(str(level.next_level), level.next_title),
            }
        )
    if profile.tier is not None:
        tier = profile.tier
        title = tiers.get(tier.id) or (
            rules.tiers.fallback.in_language(lang) if tier.id == "none" else tier.title
        )
        update["tier"] = tier.model_copy(update={"title": title})
    return profile.model_copy(update=update)
