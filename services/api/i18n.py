"""Words on the office screen, in Dutch (the default for Flanders) and English."""

from __future__ import annotations

from typing import Literal

Lang = Literal["nl", "en"]

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "teams_title": "Teams van de {window}",
        "teams_unit": "punten per gelicentieerde collega",
        "people_title": "Koplopers van de {window}",
        "people_unit": "punten",
        "rising_title": "Rijzende sterren vandaag",
        "rising_unit": "punten vandaag",
        "challenge_title": "Uitdaging",
        "challenge_ends": "Nog {countdown}",
        "challenge_none": "Geen lopende uitdaging",
        "adoption_title": "Copilot in gebruik deze week",
        "adoption_line": "{active} van {licensed} collega's actief",
        "badges_title": "Nieuwste badges",
        "badges_none": "Nog geen badges vandaag",
        "colleague": "Collega #{rank}",
        "members": "{n} leden",
        "live": "Live",
        "offline": "Verbinding herstellen...",
        "empty": "Nog geen punten in deze periode",
        "day": "dag",
        "week": "week",
        "month": "maand",
        "all": "hele tijd",
        "celebrate_badge": "{who} behaalde de badge {title}",
        "celebrate_level": "{who} bereikte {title}",
        "celebrate_challenge": "{who} won {title}",
        "someone": "Een collega",
        "team_of": "uit {team}",
    },
    "en": {
        "teams_title": "Teams of the {window}",
        "teams_unit": "points per licensed colleague",
        "people_title": "Leaders of the {window}",
        "people_unit": "points",
        "rising_title": "Rising stars today",
        "rising_unit": "points today",
        "challenge_title": "Challenge",
        "challenge_ends": "{countdown} to go",
        "challenge_none": "No challenge running",
        "adoption_title": "Copilot in use this week",
        "adoption_line": "{active} of {licensed} colleagues active",
        "badges_title": "Latest badges",
        "badges_none": "No badges yet today",
        "colleague": "Colleague #{rank}",
        "members": "{n} members",
        "live": "Live",
        "offline": "Reconnecting...",
        "empty": "No points in this period yet",
        "day": "day",
        "week": "week",
        "month": "month",
        "all": "all time",
        "celebrate_badge": "{who} earned the {title} badge",
        "celebrate_level": "{who} reached {title}",
        "celebrate_challenge": "{who} won {title}",
        "someone": "A colleague",
        "team_of": "from {team}",
    },
}


def texts(lang: Lang) -> dict[str, str]:
    return TEXTS[lang]
