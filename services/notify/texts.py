"""The words of every card and message, in Dutch and English (language chosen per channel)."""

from __future__ import annotations

from typing import Literal

Language = Literal["nl", "en"]

TEXTS: dict[str, dict[Language, str]] = {
    "badge.heading": {"en": "🏅 New badge: {title}", "nl": "🏅 Nieuwe badge: {title}"},
    "badge.named": {
        "en": "{name} ({team}) earned the **{title}** badge.",
        "nl": "{name} ({team}) heeft de badge **{title}** verdiend.",
    },
    "badge.team": {
        "en": "Someone in {team} earned the **{title}** badge.",
        "nl": "Iemand in {team} heeft de badge **{title}** verdiend.",
    },
    "badge.anonymous": {
        "en": "A colleague earned the **{title}** badge.",
        "nl": "Een collega heeft de badge **{title}** verdiend.",
    },
    "level.heading": {"en": "⬆️ Level {level}: {title}", "nl": "⬆️ Niveau {level}: {title}"},
    "level.named": {
        "en": "{name} ({team}) reached level {level}, **{title}**.",
        "nl": "{name} ({team}) heeft niveau {level} bereikt: **{title}**.",
    },
    "level.team": {
        "en": "Someone in {team} reached level {level}, **{title}**.",
        "nl": "Iemand in {team} heeft niveau {level} bereikt: **{title}**.",
    },
    "level.anonymous": {
        "en": "A colleague reached level {level}, **{title}**.",
        "nl": "Een collega heeft niveau {level} bereikt: **{title}**.",
    },
    "challenge.heading": {
        "en": "🏆 Challenge won: {title}",
        "nl": "🏆 Uitdaging gewonnen: {title}",
    },
    "challenge.winner": {
        "en": "{winner} finished #{rank} in **{title}**.",
        "nl": "{winner} eindigde op plaats {rank} in **{title}**.",
    },
    "challenge.score": {"en": "Score", "nl": "Score"},
    "burst.heading": {"en": "🎉 {total} new awards", "nl": "🎉 {total} nieuwe onderscheidingen"},
    "burst.intro": {
        "en": "A lot happened at once. The highlights:",
        "nl": "Er gebeurde veel tegelijk. De hoogtepunten:",
    },
    "burst.titles": {"en": "Most earned", "nl": "Meest verdiend"},
    "burst.teams": {"en": "Most active teams", "nl": "Actiefste teams"},
    "burst.named": {"en": "Congratulations to {names}!", "nl": "Gefeliciteerd, {names}!"},
    "weekly.heading": {"en": "📊 Week {week} in review", "nl": "📊 Terugblik op week {week}"},
    "weekly.top": {"en": "Top teams (per member)", "nl": "Topteams (per lid)"},
    "weekly.climbers": {"en": "Biggest climbers", "nl": "Grootste stijgers"},
    "weekly.habits": {
        "en": "{count} new habits formed this week.",
        "nl": "Deze week zijn er {count} nieuwe gewoontes ontstaan.",
    },
    "weekly.quiet": {"en": "A quiet week.", "nl": "Een rustige week."},
    "spotlight.heading": {"en": "⭐ Champion spotlight", "nl": "⭐ Kampioen in de schijnwerpers"},
    "spotlight.body": {
        "en": "{name} ({team}) led the way in week {week} with {points} points.",
        "nl": "{name} ({team}) ging voorop in week {week} met {points} punten.",
    },
    "spotlight.badges": {"en": "Badges this week", "nl": "Badges deze week"},
    "open": {"en": "Open the leaderboard", "nl": "Open het klassement"},
    "someone_in": {"en": "Someone in {team}", "nl": "Iemand in {team}"},
    "colleague": {"en": "A colleague", "nl": "Een collega"},
    "no_team": {"en": "their team", "nl": "hun team"},
    "and": {"en": "and", "nl": "en"},
}


def t(key: str, lang: Language, **values: object) -> str:
    return TEXTS[key][lang].format(**values)


def join_names(names: list[str], lang: Language) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t('and', lang)} {names[-1]}"
