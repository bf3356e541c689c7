"""Words of the campaigns page in Dutch, English and French (Belgian usage: a no-break
space before ``:``, ``!`` and ``?``)."""

from __future__ import annotations

from services.api.i18n import Lang

NBSP = "\u00a0"

TEXTS: dict[Lang, dict[str, str]] = {
    "nl": {
        "cp_title": "Campagnes en hun effect",
        "cp_intro": "Noteer wat je deed om adoptie te stimuleren, voor welke afdelingen en"
        " wanneer. Na twee volledige weken zie je hoeveel meer die afdelingen actief werden"
        " dan de rest van de organisatie.",
        "cp_record_title": "Een campagne noteren",
        "cp_kind": "Soort",
        "cp_kind_training": "Opleiding",
        "cp_kind_champion_event": "Championevenement",
        "cp_kind_challenge": "Uitdaging",
        "cp_kind_newsletter": "Nieuwsbrief",
        "cp_kind_other": "Andere",
        "cp_name": "Titel",
        "cp_starts": "Vanaf",
        "cp_ends": "Tot (niet verplicht)",
        "cp_departments": "Doelafdelingen",
        "cp_departments_help": "Alleen afdelingen met minstens {min_size} mensen met een licentie.",
        "cp_note": "Notitie",
        "cp_save": "Noteren",
        "cp_saved": "Genoteerd.",
        "cp_pick_department": "Kies minstens één afdeling.",
        "cp_no_departments": "Er is geen afdeling waarvoor je een campagne kunt noteren.",
        "cp_may_not_record": "Alleen beheerders en champions noteren campagnes.",
        "cp_list_title": "Campagnes",
        "cp_none": "Nog geen campagnes genoteerd.",
        "cp_by_admin": "door een beheerder",
        "cp_by_champion": "door een champion",
        "cp_withdraw": "Intrekken",
        "cp_withdraw_confirm": "Deze campagne intrekken?",
        "cp_effect": "Effect",
        "cp_estimate": "{points} procentpunt",
        "cp_interval": "95%-interval: {low} tot {high}",
        "cp_weeks_used": "{pre} weken ervoor, {post} weken erna",
        "cp_sizes": "{target} mensen in de doelgroep, {control} in de rest",
        "cp_target_line": "Doelafdelingen",
        "cp_control_line": "Rest van de organisatie",
        "cp_rate_axis": "Actief per week (%)",
        "cp_campaign_week": "Week van de campagne",
        "cp_loading": "Effect berekenen…",
        "cp_forbidden": "Campagnes zijn er voor beheerders, lezers van de inzichten en champions.",
        "cp_error": "Dat lukte niet: {detail}",
        "cp_until": "tot",
    },
    "en": {
        "cp_title": "Campaigns and their effect",
        "cp_intro": "Record what you did to drive adoption, for which departments and when."
        " After two complete weeks you see how much more those departments became active"
        " than the rest of the organisation.",
        "cp_record_title": "Record a campaign",
        "cp_kind": "Kind",
        "cp_kind_training": "Training",
        "cp_kind_champion_event": "Champion event",
        "cp_kind_challenge": "Challenge",
        "cp_kind_newsletter": "Newsletter",
        "cp_kind_other": "Other",
        "cp_name": "Title",
        "cp_starts": "From",
        "cp_ends": "Until (optional)",
        "cp_departments": "Target departments",
        "cp_departments_help": "Only departments with at least {min_size} licensed people.",
        "cp_note": "Note",
        "cp_save": "Record",
        "cp_saved": "Recorded.",
        "cp_pick_department": "Pick at least one department.",
        "cp_no_departments": "There is no department you can record a campaign for.",
        "cp_may_not_record": "Only admins and champions record campaigns.",
        "cp_list_title": "Campaigns",
        "cp_none": "No campaigns recorded yet.",
        "cp_by_admin": "by an admin",
        "cp_by_champion": "by a champion",
        "cp_withdraw": "Withdraw",
        "cp_withdraw_confirm": "Withdraw this campaign?",
        "cp_effect": "Effect",
        "cp_estimate": "{points} points",
        "cp_interval": "95% interval: {low} to {high}",
        "cp_weeks_used": "{pre} weeks before, {post} weeks after",
        "cp_sizes": "{target} people targeted, {control} in the rest",
        "cp_target_line": "Target departments",
        "cp_control_line": "Rest of the organisation",
        "cp_rate_axis": "Active per week (%)",
        "cp_campaign_week": "Campaign week",
        "cp_loading": "Working out the effect…",
        "cp_forbidden": "Campaigns are for admins, insight readers and champions.",
        "cp_error": "That did not work: {detail}",
        "cp_until": "until",
    },
    "fr": {
        "cp_title": "Campagnes et leur effet",
        "cp_intro": "Notez ce que vous avez fait pour l'adoption, pour quels départements et"
        " quand. Après deux semaines complètes, vous voyez de combien ces départements sont"
        " devenus plus actifs que le reste de l'organisation.",
        "cp_record_title": "Noter une campagne",
        "cp_kind": "Type",
        "cp_kind_training": "Formation",
        "cp_kind_champion_event": "Événement des champions",
        "cp_kind_challenge": "Défi",
        "cp_kind_newsletter": "Lettre d'information",
        "cp_kind_other": "Autre",
        "cp_name": "Titre",
        "cp_starts": "À partir du",
        "cp_ends": "Jusqu'au (facultatif)",
        "cp_departments": "Départements ciblés",
        "cp_departments_help": "Uniquement les départements d'au moins {min_size} personnes"
        " avec licence.",
        "cp_note": "Note",
        "cp_save": "Noter",
        "cp_saved": "Noté.",
        "cp_pick_department": "Choisissez au moins un département.",
        "cp_no_departments": "Il n'y a aucun département pour lequel vous pouvez noter une"
        " campagne.",
        "cp_may_not_record": "Seuls les administrateurs et les champions notent des campagnes.",
        "cp_list_title": "Campagnes",
        "cp_none": "Aucune campagne notée pour l'instant.",
        "cp_by_admin": "par un administrateur",
        "cp_by_champion": "par un champion",
        "cp_withdraw": "Retirer",
        "cp_withdraw_confirm": f"Retirer cette campagne{NBSP}?",
        "cp_effect": "Effet",
        "cp_estimate": "{points} points",
        "cp_interval": f"intervalle à 95{NBSP}%{NBSP}: {{low}} à {{high}}",
        "cp_weeks_used": "{pre} semaines avant, {post} semaines après",
        "cp_sizes": "{target} personnes ciblées, {control} dans le reste",
        "cp_target_line": "Départements ciblés",
        "cp_control_line": "Reste de l'organisation",
        "cp_rate_axis": "Actifs par semaine (%)",
        "cp_campaign_week": "Semaine de la campagne",
        "cp_loading": "Calcul de l'effet…",
        "cp_forbidden": "Les campagnes sont réservées aux administrateurs, aux lecteurs des"
        " indicateurs et aux champions.",
        "cp_error": f"Cela n'a pas fonctionné{NBSP}: {{detail}}",
        "cp_until": "jusqu'au",
    },
}


def campaign_texts(lang: Lang, min_size: int) -> dict[str, str]:
    """The page's words in ``lang``, the minimum group size filled in."""
    words = dict(TEXTS[lang])
    words["cp_departments_help"] = words["cp_departments_help"].format(min_size=min_size)
    return words
