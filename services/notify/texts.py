"""The words of every card and message, in Dutch, English and French (chosen per channel).

French follows Belgian usage: a no-break space before ``:`` and ``!``.
"""

from __future__ import annotations

from services.notify.community_texts import COMMUNITY_TEXTS
from shared.languages import Language

NBSP = "\u00a0"

TEXTS: dict[str, dict[Language, str]] = {
    "badge.heading": {
        "en": "🏅 New badge: {title}",
        "nl": "🏅 Nieuwe badge: {title}",
        "fr": f"🏅 Nouveau badge{NBSP}: {{title}}",
    },
    "badge.named": {
        "en": "{name} ({team}) earned the **{title}** badge.",
        "nl": "{name} ({team}) heeft de badge **{title}** behaald.",
        "fr": "{name} ({team}) a obtenu le badge **{title}**.",
    },
    "badge.team": {
        "en": "Someone in {team} earned the **{title}** badge.",
        "nl": "Iemand uit {team} heeft de badge **{title}** behaald.",
        "fr": "Quelqu'un de l'équipe {team} a obtenu le badge **{title}**.",
    },
    "badge.anonymous": {
        "en": "A colleague earned the **{title}** badge.",
        "nl": "Een collega heeft de badge **{title}** behaald.",
        "fr": "Un collègue a obtenu le badge **{title}**.",
    },
    "level.heading": {
        "en": "⬆️ Level {level}: {title}",
        "nl": "⬆️ Niveau {level}: {title}",
        "fr": f"⬆️ Niveau {{level}}{NBSP}: {{title}}",
    },
    "level.named": {
        "en": "{name} ({team}) reached level {level}, **{title}**.",
        "nl": "{name} ({team}) heeft niveau {level} bereikt: **{title}**.",
        "fr": f"{{name}} ({{team}}) a atteint le niveau {{level}}{NBSP}: **{{title}}**.",
    },
    "level.team": {
        "en": "Someone in {team} reached level {level}, **{title}**.",
        "nl": "Iemand uit {team} heeft niveau {level} bereikt: **{title}**.",
        "fr": f"Quelqu'un de l'équipe {{team}} a atteint le niveau {{level}}{NBSP}: **{{title}}**.",
    },
    "level.anonymous": {
        "en": "A colleague reached level {level}, **{title}**.",
        "nl": "Een collega heeft niveau {level} bereikt: **{title}**.",
        "fr": f"Un collègue a atteint le niveau {{level}}{NBSP}: **{{title}}**.",
    },
    "challenge.heading": {
        "en": "🏆 Challenge won: {title}",
        "nl": "🏆 Uitdaging gewonnen: {title}",
        "fr": f"🏆 Défi remporté{NBSP}: {{title}}",
    },
    "challenge.winner": {
        "en": "{winner} finished #{rank} in **{title}**.",
        "nl": "{winner} eindigde op plaats {rank} in **{title}**.",
        "fr": "{winner} termine à la {place} place du défi **{title}**.",
    },
    "challenge.score": {"en": "Score", "nl": "Score", "fr": "Score"},
    "burst.heading": {
        "en": "🎉 {total} new awards",
        "nl": "🎉 {total} nieuwe onderscheidingen",
        "fr": "🎉 {total} nouvelles distinctions",
    },
    "burst.intro": {
        "en": "A lot happened at once. The highlights:",
        "nl": "Er gebeurde veel tegelijk. De hoogtepunten:",
        "fr": f"Il s'est passé beaucoup de choses en peu de temps. Les temps forts{NBSP}:",
    },
    "burst.titles": {"en": "Most earned", "nl": "Meest behaald", "fr": "Les plus obtenus"},
    "burst.teams": {
        "en": "Most active teams",
        "nl": "Actiefste teams",
        "fr": "Équipes les plus actives",
    },
    "burst.named": {
        "en": "Congratulations to {names}!",
        "nl": "Proficiat, {names}!",
        "fr": f"Félicitations à {{names}}{NBSP}!",
    },
    "weekly.heading": {
        "en": "📊 Week {week} in review",
        "nl": "📊 Terugblik op week {week}",
        "fr": "📊 Bilan de la semaine {week}",
    },
    "weekly.top": {
        "en": "Top teams (per member)",
        "nl": "Topteams (per lid)",
        "fr": "Meilleures équipes (par membre)",
    },
    "weekly.climbers": {
        "en": "Biggest climbers",
        "nl": "Grootste stijgers",
        "fr": "Plus fortes progressions",
    },
    "weekly.habits": {
        "en": "{count} new habits formed this week.",
        "nl": "Deze week zijn er {count} nieuwe gewoontes ontstaan.",
        "fr": "{count} nouvelles habitudes prises cette semaine.",
    },
    "weekly.quiet": {"en": "A quiet week.", "nl": "Een rustige week.", "fr": "Une semaine calme."},
    "spotlight.heading": {
        "en": "⭐ Champion spotlight",
        "nl": "⭐ Kampioen in de schijnwerpers",
        "fr": "⭐ À l'honneur cette semaine",
    },
    "spotlight.body": {
        "en": "{name} ({team}) led the way in week {week} with {points} points.",
        "nl": "{name} ({team}) ging voorop in week {week} met {points} punten.",
        "fr": "{name} ({team}) a terminé en tête de la semaine {week} avec {points} points.",
    },
    "spotlight.badges": {
        "en": "Badges this week",
        "nl": "Badges deze week",
        "fr": "Badges de la semaine",
    },
    "open": {
        "en": "Open the leaderboard",
        "nl": "Bekijk het klassement",
        "fr": "Voir le classement",
    },
    "someone_in": {
        "en": "Someone in {team}",
        "nl": "Iemand uit {team}",
        "fr": "Quelqu'un de l'équipe {team}",
    },
    "colleague": {"en": "A colleague", "nl": "Een collega", "fr": "Un collègue"},
    # A winning team or department below the minimum group size is not named.
    "a_team": {"en": "A team", "nl": "Een team", "fr": "Une équipe"},
    "a_department": {"en": "A department", "nl": "Een afdeling", "fr": "Un département"},
    "no_team": {"en": "their team", "nl": "hun team", "fr": "son équipe"},
    "and": {"en": "and", "nl": "en", "fr": "et"},
    **COMMUNITY_TEXTS,
}


def t(key: str, lang: Language, **values: object) -> str:
    return TEXTS[key][lang].format(**values)


def place(rank: int, lang: Language) -> str:
    """A rank as an ordinal where the language needs one: ``1re``, ``2e`` in French."""
    if lang == "fr":
        return "1re" if rank == 1 else f"{rank}e"
    return str(rank)


def join_names(names: list[str], lang: Language) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t('and', lang)} {names[-1]}"
