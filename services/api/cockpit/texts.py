"""The cockpit's words in Dutch, English and French: the page's and the answer's.

The sentences that define a figure live here once, so the page, the JSON and the CSV
say the same thing. Placeholders in braces are filled in by :func:`say`.
"""

from __future__ import annotations

from datetime import date

from services.api.i18n import Lang
from shared.events import APP_NAMES
from shared.languages import MONTHS

NBSP = "\u00a0"

COCKPIT_TEXTS: dict[Lang, dict[str, str]] = {
    "nl": {
        "ck_title": "Adoptie-inzichten",
        "ck_intro": "Meten is weten: wie Copilot gebruikt, in welke apps, hoe vaak, en waar "
        "het groeit of stilvalt.",
        "ck_forbidden": "Deze pagina vraagt de rol Insights.Read (of Admin).",
        "ck_empty": "De cijfers zijn nog niet opgebouwd. Ze worden elke nacht berekend uit het "
        "gebruik; kom na de eerste berekening terug.",
        "ck_small_scope": "Deze selectie telt minder dan {min_size} mensen met een licentie en "
        "wordt niet getoond.",
        "ck_coverage": "Cijfers tot en met {day}, bijgewerkt op {time}.",
        "ck_whole": "Hele organisatie",
        "ck_no_department": "(geen afdeling)",
        "ck_no_function": "(geen functie)",
        "ck_hidden_reason": "minder dan {min_size} mensen met een licentie",
        "ck_hidden_title": "Niet getoond",
        "ck_headline_licensed": "Mensen met een licentie",
        "ck_headline_active": "Actief in de laatste 7 dagen",
        "ck_headline_rate": "Actief percentage",
        "ck_headline_definition": "Actief: minstens één bewuste Copilot-actie in de laatste 7 "
        "dagen. Alleen mensen met een licentie die nog in de organisatie zijn tellen mee.",
        "ck_filter_all": "Alle",
        "ck_filter_department": "Afdeling",
        "ck_filter_function": "Functie",
        "ck_filter_weeks": "Weken",
        "ck_download_csv": "CSV downloaden",
        "ck_trend_title": "Actief percentage per week",
        "ck_trend_definition": "Per volledige week (maandag tot zondag): het aandeel mensen "
        "met een licentie met minstens één Copilot-actie, in eender welke app en per app.",
        "ck_how_often_title": "Hoe vaak",
        "ck_how_often_definition": "Per week: het gemiddelde aantal actieve dagen en acties "
        "van wie die week actief was.",
        "ck_heatmap_title": "Afdeling \u00d7 app",
        "ck_heatmap_definition": "Actief percentage per afdeling en app. Kies de laatste "
        "volledige week of het gemiddelde van de laatste 4 volledige weken.",
        "ck_measure_week": "Laatste volledige week ({week})",
        "ck_measure_four": "Gemiddelde laatste 4 weken ({first} \u2013 {last})",
        "ck_segments_title": "Gebruikers per niveau",
        "ck_segments_definition": "Mensen met een licentie per gebruiksniveau over de {weeks} "
        "volledige weken tot en met {until}, zoals het Copilot Dashboard van Microsoft ze "
        "indeelt: het eerste niveau waarvan de voorwaarden kloppen, geldt.",
        "ck_tier_active_weeks": "actief in minstens {n} van de laatste {weeks} weken",
        "ck_tier_weekly": "gemiddeld {n} of meer acties per week",
        "ck_tier_actions": "{n} of meer acties in die weken",
        "ck_tier_and": " en ",
        "ck_tier_none": "geen enkele Copilot-actie in die weken",
        "ck_functions_title": "Per functie",
        "ck_functions_definition": "Per functie (de functietitel uit de directory): actief "
        "percentage in de laatste volledige week, en de verandering: het gemiddelde van de "
        "laatste 4 volledige weken tegenover de 4 weken daarvoor, in procentpunten.",
        "ck_intents_title": "Zoeken, maken of communiceren",
        "ck_intents_definition": "Acties per week, ingedeeld naar wat de app meestal dient: "
        "zoeken (Copilot Chat), maken (Word, Excel, PowerPoint, OneNote, Loop) of communiceren "
        "(Outlook, Teams). Een app dient een mengeling (een vergaderverslag in Teams is ook "
        "informatie zoeken), dus de verdeling toont waar het gebruik naar neigt, geen meting van "
        "elke actie.",
        "ck_intent_find": "Zoeken",
        "ck_intent_create": "Maken",
        "ck_intent_communicate": "Communiceren",
        "ck_intent_other": "Andere",
        "ck_mapping_title": "Welke app bij welk doel hoort",
        "ck_assisted_title": "Ondersteunde uren",
        "ck_assisted_definition": "Ondersteunde uren zoals Microsoft ze schat: ongeveer "
        "{minutes} minuten per Copilot-actie (een samenvatting, zoekopdracht of creatie): acties "
        "\u00d7 {minutes} / 60. Een schatting, geen gemeten tijdwinst.",
        "ck_flags_title": "Groei en stilstand per afdeling",
        "ck_flags_rule": "We vergelijken het gemiddelde wekelijkse actieve percentage van de "
        "laatste {weeks} volledige weken met de {weeks} weken daarvoor. Groeiend: minstens "
        "{growing} procentpunten hoger. Stilstaand: minder dan {stagnating} procentpunten hoger "
        "(of lager) én onder het percentage van de hele organisatie. Anders: stabiel.",
        "ck_flag_growing": "Groeiend",
        "ck_flag_stagnating": "Stilstaand",
        "ck_flag_steady": "Stabiel",
        "ck_flag_none": "Nog te weinig weken",
        "ck_col_week": "Week",
        "ck_col_app": "App",
        "ck_col_department": "Afdeling",
        "ck_col_function": "Functie",
        "ck_col_licensed": "Met licentie",
        "ck_col_active": "Actief",
        "ck_col_rate": "Actief %",
        "ck_col_rate_last_week": "Actief % vorige week",
        "ck_col_rate_four": "Actief % 4 weken",
        "ck_col_rate_before": "Actief % 4 weken ervoor",
        "ck_col_change": "Verandering (pp)",
        "ck_col_days": "Actieve dagen per actieve persoon",
        "ck_col_actions_per": "Acties per actieve persoon",
        "ck_col_actions": "Acties",
        "ck_col_share": "Aandeel",
        "ck_col_hours": "Ondersteunde uren",
        "ck_col_flag": "Signaal",
        "ck_col_tier": "Niveau",
        "ck_col_people": "Mensen",
        "ck_col_intent": "Doel",
        "ck_col_group": "Groep",
        "ck_col_reason": "Reden",
        "ck_any_app": "Eender welke app",
        "ck_app_chat": "Copilot Chat",
        "ck_app_other": "Andere",
        "ck_definitions_title": "Zo zijn de cijfers bepaald",
        "ck_org_rate": "Organisatie nu: {rate}",
        "ck_points": "{value} pp",
        "ck_unknown": "\u2013",
        "ck_no_rows": "Geen groep groot genoeg om te tonen.",
    },
    "en": {
        "ck_title": "Adoption insights",
        "ck_intro": "Measure to know: who uses Copilot, in which apps, how often, and where it "
        "grows or stalls.",
        "ck_forbidden": "This page needs the Insights.Read (or Admin) role.",
        "ck_empty": "The figures are not built yet. They are computed from usage every night; "
        "come back after the first run.",
        "ck_small_scope": "This selection has fewer than {min_size} licensed people and is not "
        "shown.",
        "ck_coverage": "Figures up to {day}, refreshed {time}.",
        "ck_whole": "Whole organisation",
        "ck_no_department": "(no department)",
        "ck_no_function": "(no job title)",
        "ck_hidden_reason": "fewer than {min_size} licensed people",
        "ck_hidden_title": "Not shown",
        "ck_headline_licensed": "Licensed people",
        "ck_headline_active": "Active in the last 7 days",
        "ck_headline_rate": "Active rate",
        "ck_headline_definition": "Active: at least one intentional Copilot action in the last "
        "7 days. Only licensed people still in the organisation count.",
        "ck_filter_all": "All",
        "ck_filter_department": "Department",
        "ck_filter_function": "Job function",
        "ck_filter_weeks": "Weeks",
        "ck_download_csv": "Download CSV",
        "ck_trend_title": "Weekly active rate",
        "ck_trend_definition": "Per complete week (Monday to Sunday): the share of licensed "
        "people with at least one Copilot action, in any app and per app.",
        "ck_how_often_title": "How often",
        "ck_how_often_definition": "Per week: the average active days and actions of the "
        "people active that week.",
        "ck_heatmap_title": "Department \u00d7 app",
        "ck_heatmap_definition": "Active rate per department and app. Choose the last complete "
        "week or the mean of the last 4 complete weeks.",
        "ck_measure_week": "Last complete week ({week})",
        "ck_measure_four": "Mean of the last 4 weeks ({first} \u2013 {last})",
        "ck_segments_title": "Usage tiers",
        "ck_segments_definition": "Licensed people per usage tier over the {weeks} complete "
        "weeks up to {until}, as Microsoft's Copilot Dashboard groups them: the first tier whose "
        "conditions hold applies.",
        "ck_tier_active_weeks": "active in at least {n} of the last {weeks} weeks",
        "ck_tier_weekly": "on average {n} or more actions a week",
        "ck_tier_actions": "{n} or more actions in those weeks",
        "ck_tier_and": " and ",
        "ck_tier_none": "no Copilot action in those weeks",
        "ck_functions_title": "By job function",
        "ck_functions_definition": "Per job function (the job title in the directory): active "
        "rate in the last complete week, and the change: the mean of the last 4 complete weeks "
        "against the 4 weeks before, in percentage points.",
        "ck_intents_title": "Find, create or communicate",
        "ck_intents_definition": "Actions per week, by what their app mostly serves: finding "
        "information (Copilot Chat), creating (Word, Excel, PowerPoint, OneNote, Loop) or "
        "communicating (Outlook, Teams). An app serves a mix (a Teams meeting recap also finds "
        "information), so the split shows where usage leans, not a measurement of each action.",
        "ck_intent_find": "Find",
        "ck_intent_create": "Create",
        "ck_intent_communicate": "Communicate",
        "ck_intent_other": "Other",
        "ck_mapping_title": "Which app counts as which intent",
        "ck_assisted_title": "Assisted hours",
        "ck_assisted_definition": "Assisted hours as Microsoft estimates them: about {minutes} "
        "minutes per Copilot action (a summary, search or creation): actions \u00d7 {minutes} / "
        "60. An estimate, not measured time saved.",
        "ck_flags_title": "Growth and stagnation by department",
        "ck_flags_rule": "We compare the mean weekly active rate of the last {weeks} complete "
        "weeks with the {weeks} weeks before. Growing: at least {growing} percentage points "
        "higher. Stagnating: less than {stagnating} percentage points higher (or lower) and "
        "below the whole organisation's rate. Otherwise: steady.",
        "ck_flag_growing": "Growing",
        "ck_flag_stagnating": "Stagnating",
        "ck_flag_steady": "Steady",
        "ck_flag_none": "Not enough weeks yet",
        "ck_col_week": "Week",
        "ck_col_app": "App",
        "ck_col_department": "Department",
        "ck_col_function": "Job function",
        "ck_col_licensed": "Licensed",
        "ck_col_active": "Active",
        "ck_col_rate": "Active rate",
        "ck_col_rate_last_week": "Active rate last week",
        "ck_col_rate_four": "Active rate 4 weeks",
        "ck_col_rate_before": "Active rate 4 weeks before",
        "ck_col_change": "Change (pp)",
        "ck_col_days": "Active days per active person",
        "ck_col_actions_per": "Actions per active person",
        "ck_col_actions": "Actions",
        "ck_col_share": "Share",
        "ck_col_hours": "Assisted hours",
        "ck_col_flag": "Flag",
        "ck_col_tier": "Tier",
        "ck_col_people": "People",
        "ck_col_intent": "Intent",
        "ck_col_group": "Group",
        "ck_col_reason": "Reason",
        "ck_any_app": "Any app",
        "ck_app_chat": "Copilot Chat",
        "ck_app_other": "Other",
        "ck_definitions_title": "How the figures are defined",
        "ck_org_rate": "Organisation now: {rate}",
        "ck_points": "{value} pp",
        "ck_unknown": "\u2013",
        "ck_no_rows": "No group large enough to show.",
    },
    "fr": {
        "ck_title": "Indicateurs d'adoption",
        "ck_intro": "Mesurer pour savoir\u00a0: qui utilise Copilot, dans quelles "
        "applications, à quelle fréquence, et où l'usage progresse ou stagne.",
        "ck_forbidden": "Cette page demande le rôle Insights.Read (ou Admin).",
        "ck_empty": "Les chiffres ne sont pas encore calculés. Ils sont calculés chaque nuit à "
        "partir de l'usage\u00a0; revenez après le premier calcul.",
        "ck_small_scope": "Cette sélection compte moins de {min_size} personnes avec licence "
        "et n'est pas affichée.",
        "ck_coverage": "Chiffres jusqu'au {day}, mis à jour le {time}.",
        "ck_whole": "Toute l'organisation",
        "ck_no_department": "(sans département)",
        "ck_no_function": "(sans fonction)",
        "ck_hidden_reason": "moins de {min_size} personnes avec licence",
        "ck_hidden_title": "Non affiché",
        "ck_headline_licensed": "Personnes avec licence",
        "ck_headline_active": "Actives ces 7 derniers jours",
        "ck_headline_rate": "Taux d'activité",
        "ck_headline_definition": "Active\u00a0: au moins une action Copilot volontaire ces 7 "
        "derniers jours. Seules les personnes avec licence encore dans l'organisation comptent.",
        "ck_filter_all": "Tous",
        "ck_filter_department": "Département",
        "ck_filter_function": "Fonction",
        "ck_filter_weeks": "Semaines",
        "ck_download_csv": "Télécharger le CSV",
        "ck_trend_title": "Taux d'activité par semaine",
        "ck_trend_definition": "Par semaine complète (du lundi au dimanche)\u00a0: la part des "
        "personnes avec licence ayant fait au moins une action Copilot, toutes applications "
        "confondues et par application.",
        "ck_how_often_title": "À quelle fréquence",
        "ck_how_often_definition": "Par semaine\u00a0: le nombre moyen de jours actifs et "
        "d'actions des personnes actives cette semaine-là.",
        "ck_heatmap_title": "Département \u00d7 application",
        "ck_heatmap_definition": "Taux d'activité par département et application. Choisissez "
        "la dernière semaine complète ou la moyenne des 4 dernières semaines complètes.",
        "ck_measure_week": "Dernière semaine complète ({week})",
        "ck_measure_four": "Moyenne des 4 dernières semaines ({first} \u2013 {last})",
        "ck_segments_title": "Niveaux d'usage",
        "ck_segments_definition": "Personnes avec licence par niveau d'usage sur les {weeks} "
        "semaines complètes jusqu'au {until}, comme le Copilot Dashboard de Microsoft les "
        "répartit\u00a0: le premier niveau dont les conditions sont remplies s'applique.",
        "ck_tier_active_weeks": "active au moins {n} des {weeks} dernières semaines",
        "ck_tier_weekly": "en moyenne {n} action(s) ou plus par semaine",
        "ck_tier_actions": "{n} action(s) ou plus sur ces semaines",
        "ck_tier_and": " et ",
        "ck_tier_none": "aucune action Copilot sur ces semaines",
        "ck_functions_title": "Par fonction",
        "ck_functions_definition": "Par fonction (l'intitulé de poste de l'annuaire)\u00a0: "
        "taux d'activité de la dernière semaine complète, et l'évolution\u00a0: la moyenne des 4 "
        "dernières semaines complètes comparée aux 4 semaines précédentes, en points de "
        "pourcentage.",
        "ck_intents_title": "Chercher, créer ou communiquer",
        "ck_intents_definition": "Actions par semaine, selon ce que leur application sert le "
        "plus souvent\u00a0: chercher de l'information (Copilot Chat), créer (Word, Excel, "
        "PowerPoint, OneNote, Loop) ou communiquer (Outlook, Teams). Une application sert un "
        "mélange (un compte rendu de réunion Teams sert aussi à chercher), la répartition montre "
        "donc la tendance de l'usage, pas une mesure de chaque action.",
        "ck_intent_find": "Chercher",
        "ck_intent_create": "Créer",
        "ck_intent_communicate": "Communiquer",
        "ck_intent_other": "Autre",
        "ck_mapping_title": "Quelle application compte pour quel usage",
        "ck_assisted_title": "Heures assistées",
        "ck_assisted_definition": "Heures assistées telles que Microsoft les estime\u00a0: "
        "environ {minutes} minutes par action Copilot (un résumé, une recherche ou une "
        "création)\u00a0: actions \u00d7 {minutes} / 60. Une estimation, pas un gain de temps "
        "mesuré.",
        "ck_flags_title": "Progression et stagnation par département",
        "ck_flags_rule": "Nous comparons le taux d'activité hebdomadaire moyen des {weeks} "
        "dernières semaines complètes avec celui des {weeks} semaines précédentes. En "
        "progression\u00a0: au moins {growing} points de pourcentage de plus. En "
        "stagnation\u00a0: moins de {stagnating} points de plus (ou une baisse) et sous le taux "
        "de toute l'organisation. Sinon\u00a0: stable.",
        "ck_flag_growing": "En progression",
        "ck_flag_stagnating": "En stagnation",
        "ck_flag_steady": "Stable",
        "ck_flag_none": "Pas encore assez de semaines",
        "ck_col_week": "Semaine",
        "ck_col_app": "Application",
        "ck_col_department": "Département",
        "ck_col_function": "Fonction",
        "ck_col_licensed": "Avec licence",
        "ck_col_active": "Actives",
        "ck_col_rate": "Taux d'activité",
        "ck_col_rate_last_week": "Taux la semaine dernière",
        "ck_col_rate_four": "Taux sur 4 semaines",
        "ck_col_rate_before": "Taux des 4 semaines précédentes",
        "ck_col_change": "Évolution (pts)",
        "ck_col_days": "Jours actifs par personne active",
        "ck_col_actions_per": "Actions par personne active",
        "ck_col_actions": "Actions",
        "ck_col_share": "Part",
        "ck_col_hours": "Heures assistées",
        "ck_col_flag": "Signal",
        "ck_col_tier": "Niveau",
        "ck_col_people": "Personnes",
        "ck_col_intent": "Usage",
        "ck_col_group": "Groupe",
        "ck_col_reason": "Raison",
        "ck_any_app": "Toute application",
        "ck_app_chat": "Copilot Chat",
        "ck_app_other": "Autre",
        "ck_definitions_title": "Comment les chiffres sont définis",
        "ck_org_rate": "Organisation actuellement\u00a0: {rate}",
        "ck_points": "{value} pts",
        "ck_unknown": "\u2013",
        "ck_no_rows": "Aucun groupe assez grand pour être affiché.",
    },
}


def day_text(lang: Lang, day: date) -> str:
    """A date as people write it in ``lang``: "29 November 2026"."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def cockpit_texts(lang: Lang) -> dict[str, str]:
    """The cockpit's words in ``lang`` (English where a word is missing)."""
    return COCKPIT_TEXTS["en"] | COCKPIT_TEXTS[lang]


def say(lang: Lang, key: str, **values: object) -> str:
    """One sentence in ``lang`` with its placeholders filled in."""
    text = cockpit_texts(lang)[key]
    return text.format(**values) if values else text


def app_label(lang: Lang, app: str) -> str:
    """An app's name as people know it (the "any app" cell included)."""
    if app == "*":
        return say(lang, "ck_any_app")
    key = f"ck_app_{app}"
    words = cockpit_texts(lang)
    return words.get(key) or APP_NAMES.get(app) or app
