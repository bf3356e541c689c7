"""The newsletter's words in Dutch, English and French: the issue itself (``WORDS``) and
its admin page (``PAGE_WORDS``, passed to the template beside the pages' common words).

French follows Belgian usage: a no-break space before ``:``, ``!`` and ``?``.
"""

from __future__ import annotations

from shared.languages import Language

NBSP = "\u00a0"

WORDS: dict[str, dict[Language, str]] = {
    "title.weekly": {
        "nl": "Copilot-nieuwsbrief: week {week}",
        "en": "Copilot newsletter: week {week}",
        "fr": f"Lettre Copilot{NBSP}: semaine {{week}}",
    },
    "title.monthly": {
        "nl": "Copilot-nieuwsbrief: {month}",
        "en": "Copilot newsletter: {month}",
        "fr": f"Lettre Copilot{NBSP}: {{month}}",
    },
    "intro": {
        "nl": "Wat collega's van {since} tot en met {until} met Copilot bereikten.",
        "en": "What colleagues achieved with Copilot from {since} to {until}.",
        "fr": "Ce que les collègues ont accompli avec Copilot du {since} au {until}.",
    },
    "intro.figures": {
        "nl": " {stories} goedgekeurde verhalen, {people} collega's met een nieuwe badge.",
        "en": " {stories} approved stories, {people} colleagues with a new badge.",
        "fr": " {stories} témoignages approuvés, {people} collègues avec un nouveau badge.",
    },
    "stories": {"nl": "Successen", "en": "Successes", "fr": "Réussites"},
    "stories.none": {
        "nl": "Deze keer geen nieuwe verhalen. Deel het jouwe op de communitypagina!",
        "en": "No new stories this time. Share yours on the community page!",
        "fr": f"Pas de nouveau témoignage cette fois. Partagez le vôtre sur la page communauté{NBSP}!",  # noqa: E501
    },
    "story.named": {
        "nl": "{name}, met Copilot in {app}: {minutes} min bespaard",
        "en": "{name}, with Copilot in {app}: {minutes} min saved",
        "fr": f"{{name}}, avec Copilot dans {{app}}{NBSP}: {{minutes}} min gagnées",
    },
    "story.department": {
        "nl": "Een collega uit {department}, met Copilot in {app}: {minutes} min bespaard",
        "en": "A colleague in {department}, with Copilot in {app}: {minutes} min saved",
        "fr": f"Un collègue de {{department}}, avec Copilot dans {{app}}{NBSP}: {{minutes}} min gagnées",  # noqa: E501
    },
    "story.colleague": {
        "nl": "Een collega, met Copilot in {app}: {minutes} min bespaard",
        "en": "A colleague, with Copilot in {app}: {minutes} min saved",
        "fr": f"Un collègue, avec Copilot dans {{app}}{NBSP}: {{minutes}} min gagnées",
    },
    "stories.more": {
        "nl": "En nog {count} op de communitypagina.",
        "en": "And {count} more on the community page.",
        "fr": "Et {count} de plus sur la page communauté.",
    },
    "teams": {
        "nl": "Topteams (punten per lid)",
        "en": "Top teams (points per member)",
        "fr": "Meilleures équipes (points par membre)",
    },
    "team": {
        "nl": "{rank}. {team}: {value} punten per lid ({members} leden)",
        "en": "{rank}. {team}: {value} points per member ({members} members)",
        "fr": f"{{rank}}. {{team}}{NBSP}: {{value}} points par membre ({{members}} membres)",
    },
    "teams.none": {
        "nl": "Nog geen teamscores voor deze periode.",
        "en": "No team scores for this period yet.",
        "fr": "Pas encore de score d'équipe pour cette période.",
    },
    "teams.hidden": {
        "nl": "{count} teams met minder dan {min_size} leden worden niet getoond.",
        "en": "{count} teams with fewer than {min_size} members are not shown.",
        "fr": "{count} équipes de moins de {min_size} membres ne sont pas affichées.",
    },
    "badges": {"nl": "Nieuwe badges", "en": "New badges", "fr": "Nouveaux badges"},
    "badge": {
        "nl": "{title}: {people} collega's",
        "en": "{title}: {people} colleagues",
        "fr": f"{{title}}{NBSP}: {{people}} collègues",
    },
    "badge.one": {
        "nl": "{title}: 1 collega",
        "en": "{title}: 1 colleague",
        "fr": f"{{title}}{NBSP}: 1 collègue",
    },
    "badges.none": {
        "nl": "Deze keer geen nieuwe badges.",
        "en": "No new badges this time.",
        "fr": "Pas de nouveau badge cette fois.",
    },
    "tip": {
        "nl": "Tip van de week: {title}",
        "en": "Tip of the week: {title}",
        "fr": f"Astuce de la semaine{NBSP}: {{title}}",
    },
    "tip.month": {
        "nl": "Tip van de maand: {title}",
        "en": "Tip of the month: {title}",
        "fr": f"Astuce du mois{NBSP}: {{title}}",
    },
    "tip.prompt": {
        "nl": "Probeer: “{prompt}”",
        "en": "Try: “{prompt}”",
        "fr": f"Essayez{NBSP}: «{NBSP}{{prompt}}{NBSP}»",
    },
    "footer": {
        "nl": "Je ontvangt dit als collega met een Copilot-licentie. Namen staan er alleen in als de collega dat zelf koos.",  # noqa: E501
        "en": "You receive this as a colleague with a Copilot licence. Names appear only where colleagues chose so.",  # noqa: E501
        "fr": "Vous recevez ceci en tant que collègue disposant d'une licence Copilot. Les noms n'apparaissent que si les collègues l'ont choisi.",  # noqa: E501
    },
}

APPS: dict[str, str] = {
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


def word(key: str, lang: Language, **values: object) -> str:
    return WORDS[key][lang].format(**values)


def app_name(app: str) -> str:
    return APPS.get(app, app)


PAGE_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "nw_title": "Nieuwsbrief",
        "nw_intro": "Stel de nieuwsbrief samen, bekijk ze in elke taal en verstuur ze naar Teams (en Viva Engage).",  # noqa: E501
        "nw_cadence": "Ritme",
        "nw_weekly": "Wekelijks",
        "nw_monthly": "Maandelijks",
        "nw_period": "Periode",
        "nw_preview_title": "Voorbeeld",
        "nw_email": "E-mail",
        "nw_card": "Teams-kaart",
        "nw_engage": "Viva Engage-bericht",
        "nw_download": "HTML downloaden",
        "nw_send_title": "Versturen",
        "nw_post_engage": "Ook op Viva Engage posten",
        "nw_send": "Versturen",
        "nw_confirm_resend": "Deze periode werd al verstuurd. Toch opnieuw versturen?",
        "nw_sent_before": "Deze periode werd al verstuurd op {when}. Opnieuw versturen vraagt een bevestiging.",  # noqa: E501
        "nw_sent": "Verstuurd: de kaarten vertrekken binnen enkele minuten.",
        "nw_failed": "Niet verstuurd",
        "nw_history": "Verstuurde nummers",
        "nw_none_sent": "Nog geen nummers verstuurd.",
        "nw_sent_by": "door",
        "nw_bytes": "{size} kB van 28 kB",
        "nw_chars": "{count} tekens",
        "nw_with_engage": "met Viva Engage",
        "nw_loading": "Laden…",
        "nw_admin_only": "Alleen beheerders kunnen de nieuwsbrief versturen.",
        "nw_card_label": "De Teams-kaart (Adaptive Card) als JSON",
    },
    "en": {
        "nw_title": "Newsletter",
        "nw_intro": "Compose the newsletter, preview it in every language and send it to Teams (and Viva Engage).",  # noqa: E501
        "nw_cadence": "Cadence",
        "nw_weekly": "Weekly",
        "nw_monthly": "Monthly",
        "nw_period": "Period",
        "nw_preview_title": "Preview",
        "nw_email": "Email",
        "nw_card": "Teams card",
        "nw_engage": "Viva Engage post",
        "nw_download": "Download HTML",
        "nw_send_title": "Send",
        "nw_post_engage": "Also post to Viva Engage",
        "nw_send": "Send",
        "nw_confirm_resend": "This period was sent already. Send it again anyway?",
        "nw_sent_before": "This period was sent already on {when}. Sending it again asks for a confirmation.",  # noqa: E501
        "nw_sent": "Sent: the cards go out within a few minutes.",
        "nw_failed": "Not sent",
        "nw_history": "Issues sent",
        "nw_none_sent": "No issues sent yet.",
        "nw_sent_by": "by",
        "nw_bytes": "{size} kB of 28 kB",
        "nw_chars": "{count} characters",
        "nw_with_engage": "with Viva Engage",
        "nw_loading": "Loading…",
        "nw_admin_only": "Only admins can send the newsletter.",
        "nw_card_label": "The Teams card (Adaptive Card) as JSON",
    },
    "fr": {
        "nw_title": "Lettre d'information",
        "nw_intro": "Composez la lettre, prévisualisez-la dans chaque langue et envoyez-la dans Teams (et Viva Engage).",  # noqa: E501
        "nw_cadence": "Rythme",
        "nw_weekly": "Hebdomadaire",
        "nw_monthly": "Mensuelle",
        "nw_period": "Période",
        "nw_preview_title": "Aperçu",
        "nw_email": "E-mail",
        "nw_card": "Carte Teams",
        "nw_engage": "Message Viva Engage",
        "nw_download": "Télécharger le HTML",
        "nw_send_title": "Envoi",
        "nw_post_engage": "Publier aussi sur Viva Engage",
        "nw_send": "Envoyer",
        "nw_confirm_resend": f"Cette période a déjà été envoyée. L'envoyer quand même à nouveau{NBSP}?",  # noqa: E501
        "nw_sent_before": "Cette période a déjà été envoyée le {when}. Un nouvel envoi demande une confirmation.",  # noqa: E501
        "nw_sent": f"Envoyée{NBSP}: les cartes partent dans quelques minutes.",
        "nw_failed": "Non envoyée",
        "nw_history": "Numéros envoyés",
        "nw_none_sent": "Aucun numéro envoyé pour l'instant.",
        "nw_sent_by": "par",
        "nw_bytes": "{size} ko sur 28 ko",
        "nw_chars": "{count} caractères",
        "nw_with_engage": "avec Viva Engage",
        "nw_loading": "Chargement…",
        "nw_admin_only": "Seuls les administrateurs peuvent envoyer la lettre.",
        "nw_card_label": "La carte Teams (Adaptive Card) en JSON",
    },
}


def page_words(lang: Language) -> dict[str, str]:
    return PAGE_WORDS[lang]
