"""The words of the nudges page in Dutch, English and French (Belgian French: a no-break
space before : ! ?). Placeholders in braces are filled in by the page's script."""

from __future__ import annotations

from services.api.i18n import Lang

NBSP = "\u00a0"

APPS = {
    "teams": "Teams",
    "word": "Word",
    "excel": "Excel",
    "powerpoint": "PowerPoint",
    "outlook": "Outlook",
    "onenote": "OneNote",
    "loop": "Loop",
    "chat": "Copilot Chat",
    "other": "Microsoft 365",
}

TEXTS: dict[Lang, dict[str, str]] = {
    "nl": {
        "nu_title": "Duwtjes",
        "nu_intro": "Waar een afdeling deze week achterloopt op de organisatie, met een "
        "toepassing die elders werkt. Alleen cijfers over groepen, nooit namen.",
        "nu_weeks": "Vergeleken weken: {since} tot en met {until}",
        "nu_rule_title": "Zo komt de lijst tot stand",
        "nu_rule": "Het percentage van een afdeling in een app is het aandeel van haar "
        "gelicentieerde mensen dat Copilot in die app gebruikte, gemiddeld over de laatste "
        "{weeks} volledige weken. Het percentage van de organisatie telt alle gelicentieerde "
        "mensen, de afdeling zelf inbegrepen. Een afdeling krijgt een duwtje als ze minstens "
        "{points} procentpunten achterloopt en de organisatie op minstens {min_rate}% zit; "
        "hoogstens {per} per afdeling, de grootste achterstand eerst. Afdelingen met minder "
        "dan {min_size} gelicentieerde mensen worden niet getoond.",
        "nu_usecase_rule": "De voorgestelde toepassing is die welke het vaakst bevestigd werd "
        "(geprobeerd, en het gebruik toonde het) door mensen in de afdelingen waar de app het "
        "meest gebruikt wordt. Zonder bevestigingen is het de eerste toepassing voor die app "
        "in de bibliotheek.",
        "nu_department": "Deze afdeling",
        "nu_organisation": "Organisatie",
        "nu_gap": "{points} punten lager",
        "nu_suggested": "Voorgestelde toepassing",
        "nu_sample_prompt": "Voorbeeldprompt",
        "nu_reason_confirmed": "Het vaakst bevestigd in {departments}",
        "nu_reason_library": "De eerste toepassing voor {app} in de bibliotheek",
        "nu_no_use_case": "De bibliotheek heeft nog geen toepassing voor deze app.",
        "nu_post": "Posten in het kanaal van de afdeling",
        "nu_confirm": "“{title}” posten in het kanaal van {department}? De leden zien de "
        "achterstand en de toepassing, geen namen.",
        "nu_confirm_yes": "Ja, posten",
        "nu_cancel": "Annuleren",
        "nu_posting": "Bezig met posten…",
        "nu_posted": "Gepost op {date}",
        "nu_not_posted": "Niet gepost: {reason}",
        "nu_on_track": "Geen achterstand deze week",
        "nu_none": "Geen enkele afdeling loopt deze week achter op de organisatie.",
        "nu_hidden_title": "Niet getoond",
        "nu_hidden_small": "minder dan {min_size} gelicentieerde mensen",
        "nu_hidden_no_department": "Mensen zonder afdeling",
        "nu_hidden_no_department_reason": "de directory geeft hen geen afdeling",
        "nu_empty": "Nog geen cijfers: de adoptiekubus bevat nog geen volledige week. Kom "
        "terug na de volgende verversing.",
        "nu_forbidden": "Deze pagina is voor adoptieverantwoordelijken (Insights.Read) en "
        "beheerders.",
        "nu_failed": "De lijst kon niet geladen worden. Probeer het later opnieuw.",
    },
    "en": {
        "nu_title": "Nudges",
        "nu_intro": "Where a department lags the organisation this week, with a use case "
        "that works elsewhere. Figures about groups only, never names.",
        "nu_weeks": "Weeks compared: {since} to {until}",
        "nu_rule_title": "How the list is made",
        "nu_rule": "A department's rate in an app is the share of its licensed people who "
        "used Copilot in that app, averaged over the last {weeks} complete weeks. The "
        "organisation's rate counts every licensed person, the department itself included. "
        "A department gets a nudge when it lags by at least {points} percentage points and "
        "the organisation's rate is at least {min_rate}%; at most {per} per department, the "
        "largest gap first. Departments with fewer than {min_size} licensed people are not "
        "shown.",
        "nu_usecase_rule": "The suggested use case is the one most confirmed (tried, and "
        "usage showed it) by people in the departments where the app is used most. Without "
        "confirmations, it is the library's first use case for the app.",
        "nu_department": "This department",
        "nu_organisation": "Organisation",
        "nu_gap": "{points} points below",
        "nu_suggested": "Suggested use case",
        "nu_sample_prompt": "Sample prompt",
        "nu_reason_confirmed": "Most confirmed in {departments}",
        "nu_reason_library": "The library's first use case for {app}",
        "nu_no_use_case": "The library has no use case for this app yet.",
        "nu_post": "Post to the department's channel",
        "nu_confirm": "Post “{title}” to the {department} channel? Its members will see the "
        "gap and the use case, no names.",
        "nu_confirm_yes": "Yes, post",
        "nu_cancel": "Cancel",
        "nu_posting": "Posting…",
        "nu_posted": "Posted on {date}",
        "nu_not_posted": "Not posted: {reason}",
        "nu_on_track": "No gap this week",
        "nu_none": "No department lags the organisation this week.",
        "nu_hidden_title": "Not shown",
        "nu_hidden_small": "fewer than {min_size} licensed people",
        "nu_hidden_no_department": "People without a department",
        "nu_hidden_no_department_reason": "the directory gives them no department",
        "nu_empty": "No figures yet: the adoption cube holds no complete week. Come back "
        "after the next refresh.",
        "nu_forbidden": "This page is for adoption leads (Insights.Read) and admins.",
        "nu_failed": "The list could not be loaded. Please try again later.",
    },
    "fr": {
        "nu_title": "Coups de pouce",
        "nu_intro": "Là où un département est en retard sur l'organisation cette semaine, "
        "avec un cas d'usage qui fonctionne ailleurs. Uniquement des chiffres de groupes, "
        "jamais de noms.",
        "nu_weeks": f"Semaines comparées{NBSP}: du {{since}} au {{until}}",
        "nu_rule_title": "Comment la liste est établie",
        "nu_rule": "Le taux d'un département dans une application est la part de ses "
        "personnes sous licence qui ont utilisé Copilot dans cette application, en moyenne "
        "sur les {weeks} dernières semaines complètes. Le taux de l'organisation compte "
        "toutes les personnes sous licence, le département lui-même compris. Un département "
        "reçoit un coup de pouce quand il a au moins {points} points de retard et que le "
        f"taux de l'organisation atteint au moins {{min_rate}}{NBSP}%{NBSP}; au plus {{per}} "
        "par département, le plus grand écart d'abord. Les départements de moins de "
        "{min_size} personnes sous licence ne sont pas affichés.",
        "nu_usecase_rule": "Le cas d'usage proposé est celui qui a été le plus confirmé "
        "(essayé, et l'usage l'a montré) par les personnes des départements où "
        "l'application est la plus utilisée. Sans confirmation, c'est le premier cas "
        "d'usage de la bibliothèque pour cette application.",
        "nu_department": "Ce département",
        "nu_organisation": "Organisation",
        "nu_gap": "{points} points de moins",
        "nu_suggested": "Cas d'usage proposé",
        "nu_sample_prompt": "Exemple de prompt",
        "nu_reason_confirmed": "Le plus confirmé chez {departments}",
        "nu_reason_library": "Le premier cas d'usage de la bibliothèque pour {app}",
        "nu_no_use_case": "La bibliothèque n'a pas encore de cas d'usage pour cette application.",
        "nu_post": "Publier dans le canal du département",
        "nu_confirm": f"Publier «{NBSP}{{title}}{NBSP}» dans le canal de {{department}}{NBSP}? "
        "Ses membres verront l'écart et le cas d'usage, sans aucun nom.",
        "nu_confirm_yes": "Oui, publier",
        "nu_cancel": "Annuler",
        "nu_posting": "Publication…",
        "nu_posted": "Publié le {date}",
        "nu_not_posted": f"Pas publié{NBSP}: {{reason}}",
        "nu_on_track": "Pas d'écart cette semaine",
        "nu_none": "Aucun département n'est en retard sur l'organisation cette semaine.",
        "nu_hidden_title": "Non affichés",
        "nu_hidden_small": "moins de {min_size} personnes sous licence",
        "nu_hidden_no_department": "Personnes sans département",
        "nu_hidden_no_department_reason": "l'annuaire ne leur attribue aucun département",
        "nu_empty": f"Pas encore de chiffres{NBSP}: le cube d'adoption ne contient aucune "
        "semaine complète. Revenez après la prochaine actualisation.",
        "nu_forbidden": "Cette page est réservée aux responsables de l'adoption "
        "(Insights.Read) et aux administrateurs.",
        "nu_failed": "La liste n'a pas pu être chargée. Réessayez plus tard.",
    },
}


def nudge_texts(lang: Lang) -> dict[str, str]:
    """The page's words in ``lang``, with the app names."""
    return TEXTS[lang] | {f"nu_app_{app}": name for app, name in APPS.items()}
