"""Words of the Teams app's pages (the channel tab's set-up page, the sign-in pop-up's last
page) and of the single-group board a channel tab shows on the screen, in Dutch, English
and French (Belgian usage: a no-break space before ``:``, ``!`` and ``?``)."""

from __future__ import annotations

from shared.languages import Language

CONFIG_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Een Uptake-bord in dit kanaal",
        "intro": "Kies welk bord dit tabblad toont: de stand van één team of één afdeling,"
        " live bijgewerkt, met de collega's die bijdroegen (bij naam alleen wie daarvoor"
        " koos).",
        "outside": "Deze pagina stelt een Uptake-tabblad in Microsoft Teams in. Open het"
        " kanaal in Teams, kies + (Een tabblad toevoegen) en dan Uptake om er een bord aan"
        " toe te voegen. Hier kun je een bord kiezen en het in je browser openen.",
        "inside": "Kies een bord en dan Opslaan.",
        "kind": "Bord van",
        "kind_team": "een team",
        "kind_department": "een afdeling",
        "which_team": "Welk team?",
        "which_department": "Welke afdeling?",
        "open": "Dit bord openen",
        "loading": "Teams en afdelingen laden…",
        "none": "Nog geen team of afdeling is groot genoeg om te tonen.",
        "failed": "De teams en afdelingen konden niet geladen worden. Probeer het later opnieuw.",
        "signin": "Meld je aan om een bord te kiezen.",
        "tab_name": "Uptake: {name}",
        "auth_title": "Aanmelden bij Uptake",
        "auth_help": "Dit venster sluit vanzelf. Blijft het open, sluit het dan en probeer"
        " opnieuw.",
        "auth_failed": "Aanmelden is niet gelukt. Sluit dit venster en probeer opnieuw.",
    },
    "en": {
        "title": "An Uptake board in this channel",
        "intro": "Choose the board this tab shows: the standing of one team or one"
        " department, updated live, with the colleagues who contributed (by name only those"
        " who chose so).",
        "outside": "This page sets up an Uptake tab in Microsoft Teams. To add a board to a"
        " channel, open the channel in Teams, choose + (Add a tab) and then Uptake. Here you"
        " can choose a board and open it in your browser.",
        "inside": "Choose a board, then Save.",
        "kind": "Board of",
        "kind_team": "a team",
        "kind_department": "a department",
        "which_team": "Which team?",
        "which_department": "Which department?",
        "open": "Open this board",
        "loading": "Loading teams and departments…",
        "none": "No team or department is big enough to show yet.",
        "failed": "The teams and departments could not be loaded. Please try again later.",
        "signin": "Sign in to choose a board.",
        "tab_name": "Uptake: {name}",
        "auth_title": "Signing in to Uptake",
        "auth_help": "This window closes by itself. If it stays open, close it and try again.",
        "auth_failed": "Signing in did not work. Close this window and try again.",
    },
    "fr": {
        "title": "Un tableau Uptake dans ce canal",
        "intro": "Choisissez le tableau de cet onglet\u00a0: le classement d'une équipe ou"
        " d'un département, mis à jour en direct, avec les collègues qui y ont contribué"
        " (nommément seulement ceux qui l'ont choisi).",
        "outside": "Cette page configure un onglet Uptake dans Microsoft Teams. Pour ajouter"
        " un tableau à un canal, ouvrez le canal dans Teams, choisissez + (Ajouter un onglet)"
        " puis Uptake. Ici, vous pouvez choisir un tableau et l'ouvrir dans votre navigateur.",
        "inside": "Choisissez un tableau, puis Enregistrer.",
        "kind": "Tableau de",
        "kind_team": "une équipe",
        "kind_department": "un département",
        "which_team": "Quelle équipe\u00a0?",
        "which_department": "Quel département\u00a0?",
        "open": "Ouvrir ce tableau",
        "loading": "Chargement des équipes et des départements…",
        "none": "Aucune équipe ni aucun département n'est encore assez grand pour être montré.",
        "failed": "Les équipes et les départements n'ont pas pu être chargés. Réessayez plus tard.",
        "signin": "Connectez-vous pour choisir un tableau.",
        "tab_name": "Uptake\u00a0: {name}",
        "auth_title": "Connexion à Uptake",
        "auth_help": "Cette fenêtre se ferme d'elle-même. Si elle reste ouverte, fermez-la et"
        " réessayez.",
        "auth_failed": "La connexion n'a pas abouti. Fermez cette fenêtre et réessayez.",
    },
}

GROUP_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "group_title": "{group} {window}",
        "group_rank": "Plaats {rank}",
        "group_unranked": "Nog niet gerangschikt",
        "group_points": "{points} punten per collega met licentie",
        "group_active": "{active} van {members} actief",
        "group_others": "Collega's zonder naam ({n})",
    },
    "en": {
        "group_title": "{group} {window}",
        "group_rank": "Rank {rank}",
        "group_unranked": "Not ranked yet",
        "group_points": "{points} points per licensed colleague",
        "group_active": "{active} of {members} active",
        "group_others": "Colleagues without a name ({n})",
    },
    "fr": {
        "group_title": "{group} {window}",
        "group_rank": "Place {rank}",
        "group_unranked": "Pas encore classé",
        "group_points": "{points} points par collègue sous licence",
        "group_active": "{active} actifs sur {members}",
        "group_others": "Collègues sans nom ({n})",
    },
}


def config_texts(lang: Language) -> dict[str, str]:
    """The set-up page's and the pop-up's words; English where a word is not translated."""
    return CONFIG_TEXTS["en"] | CONFIG_TEXTS[lang]


def group_texts(lang: Language) -> dict[str, str]:
    """The words of the screen's single-group board."""
    return GROUP_TEXTS["en"] | GROUP_TEXTS[lang]
