"""Words on the office screen and the pages, in Dutch (the default for Flanders), English
and French (Belgian usage: a no-break space before ``:``, ``!`` and ``?``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.languages import Language

Lang = Language
LangQuery = Annotated[
    Lang | None, Query(description="nl, en or fr; API_DEFAULT_LANG when left out")
]

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "teams_title": "Teams {window}",
        "teams_unit": "punten per collega met licentie",
        "people_title": "Koplopers {window}",
        "people_unit": "punten",
        "rising_title": "Rijzende sterren vandaag",
        "rising_unit": "punten vandaag",
        "challenge_title": "Uitdaging",
        "challenge_ends": "Nog {countdown}",
        "challenge_none": "Geen lopende uitdaging",
        "adoption_title": "Copilot-gebruik, laatste 7 dagen",
        "adoption_line": "{active} van {licensed} collega's actief in de laatste {days} dagen",
        "badges_title": "Nieuwste badges",
        "badges_none": "Nog geen badges vandaag",
        "colleague": "Collega #{rank}",
        "members": "{n} leden",
        "live": "Live",
        "offline": "Opnieuw verbinden…",
        "empty": "Nog geen punten in deze periode",
        "day": "van de dag",
        "week": "van de week",
        "month": "van de maand",
        "all": "aller tijden",
        "celebrate_badge": "{who} behaalde de badge {title}",
        "celebrate_level": "{who} bereikte het niveau {title}",
        "celebrate_challenge": "{who} won {title}",
        "someone": "Een collega",
        "team_of": "uit {team}",
    },
    "en": {
        "teams_title": "Teams {window}",
        "teams_unit": "points per licensed colleague",
        "people_title": "Leaders {window}",
        "people_unit": "points",
        "rising_title": "Rising stars today",
        "rising_unit": "points today",
        "challenge_title": "Challenge",
        "challenge_ends": "{countdown} to go",
        "challenge_none": "No challenge running",
        "adoption_title": "Copilot use, last 7 days",
        "adoption_line": "{active} of {licensed} colleagues active in the last {days} days",
        "badges_title": "Latest badges",
        "badges_none": "No badges yet today",
        "colleague": "Colleague #{rank}",
        "members": "{n} members",
        "live": "Live",
        "offline": "Reconnecting...",
        "empty": "No points in this period yet",
        "day": "of the day",
        "week": "of the week",
        "month": "of the month",
        "all": "of all time",
        "celebrate_badge": "{who} earned the {title} badge",
        "celebrate_level": "{who} reached level {title}",
        "celebrate_challenge": "{who} won {title}",
        "someone": "A colleague",
        "team_of": "from {team}",
    },
    "fr": {
        "teams_title": "Équipes {window}",
        "teams_unit": "points par collègue sous licence",
        "people_title": "En tête {window}",
        "people_unit": "points",
        "rising_title": "Étoiles montantes du jour",
        "rising_unit": "points aujourd'hui",
        "challenge_title": "Défi",
        "challenge_ends": "Encore {countdown}",
        "challenge_none": "Aucun défi en cours",
        "adoption_title": "Utilisation de Copilot, 7 derniers jours",
        "adoption_line": "{active} collègues actifs sur {licensed} ces {days} derniers jours",
        "badges_title": "Derniers badges",
        "badges_none": "Pas encore de badge aujourd'hui",
        "colleague": "Collègue n°\u00a0{rank}",
        "members": "{n} membres",
        "live": "En direct",
        "offline": "Reconnexion…",
        "empty": "Pas encore de points sur cette période",
        "day": "du jour",
        "week": "de la semaine",
        "month": "du mois",
        "all": "de tous les temps",
        "celebrate_badge": "{who} a obtenu le badge {title}",
        "celebrate_level": "{who} a atteint le niveau {title}",
        "celebrate_challenge": "{who} a remporté le défi «\u00a0{title}\u00a0»",
        "someone": "Un collègue",
        "team_of": "de l'équipe {team}",
    },
}


def texts(lang: Lang) -> dict[str, str]:
    """The screen's words; a word not yet translated shows in English rather than not at all."""
    return TEXTS["en"] | TEXTS[lang]


PAGE_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "cockpit_nav": "Cockpit",
        "nav_insights": "Inzichten",
        "nav_campaigns": "Campagnes",
        "nav_nudges": "Duwtjes",
        "nav_newsletter": "Nieuwsbrief",
        "nav_rules": "Regels",
        "signin_title": "Aanmelden",
        "signin_help": "Meld je aan met je Microsoft-werkaccount om je eigen voortgang te zien.",
        "signin_button": "Aanmelden met Microsoft",
        "signout": "Afmelden",
        "signin_failed_title": "Aanmelden is niet gelukt",
        "signin_failed_help": "Microsoft heeft de aanmelding niet bevestigd. Probeer het opnieuw;"
        " blijft het mislukken, geef dan de reden hieronder door aan je beheerder.",
        "signin_again": "Opnieuw aanmelden",
        "me_title": "Mijn voortgang",
        "neighbours_title": "Ik en mijn buren deze week",
        "goals_title": "Binnen handbereik",
        "badges_title": "Mijn badges",
        "no_badges": "Nog geen badges: probeer Copilot in een nieuwe app.",
        "privacy_title": "Privacy",
        "opt_in_label": "Toon mijn naam in klassementen en op schermen",
        "opt_in_help": "Zonder toestemming tel je mee als 'Collega', nooit met naam.",
        "name_withheld": "Je naam staat nu nog niet in de klassementen: in je team of afdeling"
        " hebben bijna alle collega's toestemming gegeven, zodat je naam zou verraden wat de"
        " anderen scoorden. Hij verschijnt zodra iedereen of minstens {min_size} collega's"
        " zonder naam meetellen.",
        "rank_week": "Rang deze week",
        "points_total": "Punten in totaal",
        "points": "punten",
        "level": "Niveau",
        "streak": "Reeks (werkdagen)",
        "best": "beste",
        "habit": "Gewoonte",
        "in_days": "actieve dagen binnen",
        "you": "jij",
        "admin_title": "Beheer",
        "rules_title": "Spelregels",
        "note": "Notitie bij deze versie",
        "validate": "Controleren",
        "preview": "Voorbeeld van het effect",
        "publish": "Publiceren",
        "valid": "De regels zijn geldig.",
        "confirm_publish": "Deze regels publiceren en alle punten herberekenen?",
        "published": "Gepubliceerd als",
        "people": "mensen",
        "gain": "winnen",
        "lose": "verliezen",
        "person": "Persoon (pseudoniem)",
        "points_before": "Punten nu",
        "points_after": "Punten daarna",
        "rank_before": "Rang nu",
        "rank_after": "Rang daarna",
        "displays_title": "Schermtokens",
        "display_label": "Waar hangt het scherm?",
        "issue": "Token uitgeven",
        "screen_url": "Schermadres (eenmalig getoond)",
        "revoke": "Intrekken",
        "revoked": "ingetrokken",
        "active": "actief",
        "language_gaps": "Nog niet in elke taal vertaald (daar verschijnt de tekst in de taal"
        " van de spelregels):",
    },
    "en": {
        "cockpit_nav": "Cockpit",
        "nav_insights": "Insights",
        "nav_campaigns": "Campaigns",
        "nav_nudges": "Nudges",
        "nav_newsletter": "Newsletter",
        "nav_rules": "Rules",
        "signin_title": "Sign in",
        "signin_help": "Sign in with your Microsoft work account to see your own progress.",
        "signin_button": "Sign in with Microsoft",
        "signout": "Sign out",
        "signin_failed_title": "Sign-in did not complete",
        "signin_failed_help": "Microsoft did not confirm the sign-in. Please try again; if it"
        " keeps failing, pass the reason below on to your administrator.",
        "signin_again": "Sign in again",
        "me_title": "My progress",
        "neighbours_title": "Me and my neighbours this week",
        "goals_title": "Within reach",
        "badges_title": "My badges",
        "no_badges": "No badges yet: try Copilot in a new app.",
        "privacy_title": "Privacy",
        "opt_in_label": "Show my name on boards and screens",
        "opt_in_help": "Without your consent you count as 'Colleague', never by name.",
        "name_withheld": "Your name is not on the boards yet: in your team or department"
        " nearly everyone opted in, so naming you would give away what the others scored."
        " It appears once everyone, or at least {min_size} colleagues, count without a name.",
        "rank_week": "Rank this week",
        "points_total": "Points in total",
        "points": "points",
        "level": "Level",
        "streak": "Streak (working days)",
        "best": "best",
        "habit": "Habit",
        "in_days": "active days within",
        "you": "you",
        "admin_title": "Administration",
        "rules_title": "Rules of the game",
        "note": "Note for this version",
        "validate": "Validate",
        "preview": "Preview the effect",
        "publish": "Publish",
        "valid": "The rules are valid.",
        "confirm_publish": "Publish these rules and recalculate all points?",
        "published": "Published as",
        "people": "people",
        "gain": "gain",
        "lose": "lose",
        "person": "Person (pseudonym)",
        "points_before": "Points now",
        "points_after": "Points after",
        "rank_before": "Rank now",
        "rank_after": "Rank after",
        "displays_title": "Display tokens",
        "display_label": "Where does the screen hang?",
        "issue": "Issue token",
        "screen_url": "Screen address (shown once)",
        "revoke": "Revoke",
        "revoked": "revoked",
        "active": "active",
        "language_gaps": "Not yet in every language (the text in the rule set's language is"
        " shown there instead):",
    },
    "fr": {
        "cockpit_nav": "Cockpit",
        "nav_insights": "Indicateurs",
        "nav_campaigns": "Campagnes",
        "nav_nudges": "Coups de pouce",
        "nav_newsletter": "Lettre d'information",
        "nav_rules": "Règles",
        "signin_title": "Connexion",
        "signin_help": "Connectez-vous avec votre compte professionnel Microsoft pour voir"
        " votre progression.",
        "signin_button": "Se connecter avec Microsoft",
        "signout": "Se déconnecter",
        "signin_failed_title": "La connexion n'a pas abouti",
        "signin_failed_help": "Microsoft n'a pas confirmé la connexion. Réessayez\u00a0; si"
        " l'échec persiste, transmettez la raison ci-dessous à votre administrateur.",
        "signin_again": "Se reconnecter",
        "me_title": "Ma progression",
        "neighbours_title": "Mes voisins de classement cette semaine",
        "goals_title": "À portée de main",
        "badges_title": "Mes badges",
        "no_badges": "Pas encore de badge\u00a0: essayez Copilot dans une nouvelle application.",
        "privacy_title": "Vie privée",
        "opt_in_label": "Afficher mon nom dans les classements et sur les écrans",
        "opt_in_help": "Sans votre accord, vous apparaissez comme «\u00a0Collègue\u00a0»,"
        " jamais sous votre nom.",
        "name_withheld": "Votre nom n'apparaît pas encore dans les classements\u00a0: dans votre"
        " équipe ou votre département, presque tout le monde a donné son accord, et votre nom"
        " révélerait ce que les autres ont obtenu. Il apparaîtra dès que tout le monde, ou au"
        " moins {min_size} collègues, comptent sans nom.",
        "rank_week": "Place cette semaine",
        "points_total": "Points au total",
        "points": "points",
        "level": "Niveau",
        "streak": "Série (jours ouvrables)",
        "best": "record",
        "habit": "Habitude",
        "in_days": "jours actifs sur",
        "you": "vous",
        "admin_title": "Administration",
        "rules_title": "Règles du jeu",
        "note": "Note sur cette version",
        "validate": "Vérifier",
        "preview": "Aperçu de l'effet",
        "publish": "Publier",
        "valid": "Les règles sont valides.",
        "confirm_publish": "Publier ces règles et recalculer tous les points\u00a0?",
        "published": "Publié comme",
        "people": "personnes",
        "gain": "gagnent",
        "lose": "perdent",
        "person": "Personne (pseudonyme)",
        "points_before": "Points maintenant",
        "points_after": "Points ensuite",
        "rank_before": "Place maintenant",
        "rank_after": "Place ensuite",
        "displays_title": "Jetons d'écran",
        "display_label": "Où l'écran est-il installé\u00a0?",
        "issue": "Créer un jeton",
        "screen_url": "Adresse de l'écran (affichée une seule fois)",
        "revoke": "Révoquer",
        "revoked": "révoqué",
        "active": "actif",
        "language_gaps": "Pas encore traduit dans toutes les langues (le texte dans la langue"
        " des règles s'affiche à la place)\u00a0:",
    },
}


def page_texts(lang: Lang) -> dict[str, str]:
    """The pages' words; a word not yet translated shows in English rather than not at all."""
    return PAGE_TEXTS["en"] | PAGE_TEXTS[lang]


METRIC_WORDS: dict[str, dict[Lang, str]] = {
    "points": {
        "nl": "punten verdiend met Copilot",
        "en": "points earned with Copilot",
        "fr": "les points gagnés avec Copilot",
    },
    "active_days": {
        "nl": "dagen actief met Copilot",
        "en": "days active with Copilot",
        "fr": "les jours d'activité avec Copilot",
    },
    "distinct_apps": {
        "nl": "het aantal verschillende apps waarin ze Copilot gebruiken",
        "en": "the number of different apps used with Copilot",
        "fr": "le nombre d'applications différentes utilisées avec Copilot",
    },
    "active_rate": {
        "nl": "het aandeel leden dat actief is met Copilot",
        "en": "the share of members active with Copilot",
        "fr": "la part des membres actifs avec Copilot",
    },
}
COMPETITORS: dict[str, dict[Lang, str]] = {
    "person": {"nl": "collega's", "en": "colleagues", "fr": "les collègues"},
    "team": {"nl": "teams", "en": "teams", "fr": "les équipes"},
    "department": {"nl": "afdelingen", "en": "departments", "fr": "les départements"},
}
CHALLENGE_WORDS: dict[str, dict[Lang, str]] = {
    "when": {
        "nl": "Van {start} tot {end} strijden {who} om {what}.",
        "en": "From {start} to {end}, {who} compete on {what}.",
        "fr": "Du {start} au {end}, {who} s'affrontent sur {what}.",
    },
    "per_member": {
        "nl": " Scores gelden per gelicentieerd lid, zodat kleine en grote groepen evenveel kans"
        " maken; een groep telt minstens {min_size} leden.",
        "en": " Scores are per licensed member, so small and large groups stand an equal chance;"
        " groups need at least {min_size} members.",
        "fr": " Les scores sont calculés par membre sous licence, pour que petits et grands groupes"
        " aient les mêmes chances\u00a0; un groupe compte au moins {min_size} membres.",
    },
    "winner": {
        "nl": " De beste wint.",
        "en": " The best one wins.",
        "fr": " Le premier l'emporte.",
    },
    "winners": {
        "nl": " De beste {winners} winnen.",
        "en": " The top {winners} win.",
        "fr": " Les {winners} premiers l'emportent.",
    },
    "decided": {
        "nl": " De winnaars worden op {decided} bekendgemaakt, als ook het laatkomende"
        " gebruik binnen is.",
        "en": " Winners are announced on {decided}, once late usage data is in.",
        "fr": " Les gagnants sont annoncés le {decided}, une fois arrivées les données"
        " d'utilisation tardives.",
    },
}
