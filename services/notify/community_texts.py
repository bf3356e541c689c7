"""The words of the community's cards in Dutch, English and French, and dates as people
write them in each (merged into :data:`services.notify.texts.TEXTS`)."""

from __future__ import annotations

from datetime import date, datetime

from shared.events import APP_NAMES
from shared.languages import MONTHS, WEEKDAYS, Language

NBSP = "\u00a0"
DASH = "\u2013"  # between two times, as typeset

COMMUNITY_TEXTS: dict[str, dict[Language, str]] = {
    "tip.heading": {
        "en": "💡 Copilot tip: {title}",
        "nl": "💡 Copilot-tip: {title}",
        "fr": f"💡 Astuce Copilot{NBSP}: {{title}}",
    },
    "tip.intro": {
        "en": "Try this in {app}:",
        "nl": "Probeer dit in {app}:",
        "fr": f"À essayer dans {{app}}{NBSP}:",
    },
    "tip.try": {
        "en": "Try it in {app} today.",
        "nl": "Probeer het vandaag nog in {app}.",
        "fr": "Essayez-le dès aujourd'hui dans {app}.",
    },
    "tip.gap": {
        "en": "{app}: {department} of your department used Copilot in {app} {period}, "
        "{organisation} across the organisation.",
        "nl": "{app}: {department} van je afdeling gebruikte Copilot in {app} {period}, "
        "tegenover {organisation} in de hele organisatie.",
        "fr": f"{{app}}{NBSP}: {{department}} de votre département ont utilisé Copilot dans "
        "{app} {period}, contre {organisation} dans l'ensemble de l'organisation.",
    },
    "tip.gap.weeks": {
        "en": "in the last {weeks} weeks",
        "nl": "in de laatste {weeks} weken",
        "fr": "ces {weeks} dernières semaines",
    },
    "tip.gap.week": {
        "en": "last week",
        "nl": "vorige week",
        "fr": "la semaine dernière",
    },
    "tip.gap.intro": {"en": "Try this:", "nl": "Probeer dit:", "fr": f"À essayer{NBSP}:"},
    "tip.gap.try": {
        "en": "Try it today.",
        "nl": "Probeer het vandaag nog.",
        "fr": "Essayez-le dès aujourd'hui.",
    },
    "story.heading": {
        "en": "⏱️ Copilot saved {minutes} minutes",
        "nl": "⏱️ Copilot bespaarde {minutes} minuten",
        "fr": "⏱️ Copilot a fait gagner {minutes} minutes",
    },
    "story.heading_one": {
        "en": "⏱️ Copilot saved a minute",
        "nl": "⏱️ Copilot bespaarde een minuut",
        "fr": "⏱️ Copilot a fait gagner une minute",
    },
    "story.heading_none": {
        "en": "⏱️ A Copilot success story",
        "nl": "⏱️ Een Copilot-succesverhaal",
        "fr": "⏱️ Une réussite avec Copilot",
    },
    "story.by_named": {
        "en": "{name}, with Copilot in {app}",
        "nl": "{name}, met Copilot in {app}",
        "fr": "{name}, avec Copilot dans {app}",
    },
    "story.by_department": {
        "en": "A colleague in {department}, with Copilot in {app}",
        "nl": "Een collega uit {department}, met Copilot in {app}",
        "fr": "Un collègue de {department}, avec Copilot dans {app}",
    },
    "story.by_colleague": {
        "en": "A colleague, with Copilot in {app}",
        "nl": "Een collega, met Copilot in {app}",
        "fr": "Un collègue, avec Copilot dans {app}",
    },
    "kudos.heading": {"en": "🙌 Kudos!", "nl": "🙌 Kudos!", "fr": f"🙌 Kudos{NBSP}!"},
    "kudos.named": {
        "en": "{giver} thanked {receiver}: **{value}**.",
        "nl": "{giver} bedankte {receiver}: **{value}**.",
        "fr": f"{{giver}} a remercié {{receiver}}{NBSP}: **{{value}}**.",
    },
    "kudos.anonymous": {
        "en": "A colleague was thanked: **{value}**.",
        "nl": "Een collega werd bedankt: **{value}**.",
        "fr": f"Un collègue a été remercié{NBSP}: **{{value}}**.",
    },
    "kudos.value.helpful": {"en": "Helpful", "nl": "Behulpzaam", "fr": "Serviable"},
    "kudos.value.creative": {"en": "Creative", "nl": "Creatief", "fr": "Créatif"},
    "kudos.value.time_saver": {"en": "Time saver", "nl": "Tijdwinst", "fr": "Gain de temps"},
    "kudos.value.team_player": {"en": "Team player", "nl": "Teamspeler", "fr": "Esprit d'équipe"},
    "kudos.value.brave_first": {
        "en": "Brave first step",
        "nl": "Durfde als eerste",
        "fr": "Premier pas audacieux",
    },
    "kudos_burst.heading": {
        "en": "🙌 {total} kudos",
        "nl": "🙌 {total} keer kudos",
        "fr": "🙌 {total} kudos",
    },
    "kudos_burst.intro": {
        "en": "Colleagues thanked each other {total} times.",
        "nl": "Collega's bedankten elkaar {total} keer.",
        "fr": "Des collègues se sont remerciés {total} fois.",
    },
    "kudos_burst.values": {"en": "Thanked for", "nl": "Bedankt voor", "fr": "Remerciés pour"},
    "kudos_burst.named": {
        "en": "Among them: {pairs}.",
        "nl": "Onder meer: {pairs}.",
        "fr": f"Entre autres{NBSP}: {{pairs}}.",
    },
    "event.format.lunch_and_learn": {
        "en": "Lunch & learn",
        "nl": "Lunch & learn",
        "fr": "Lunch & learn",
    },
    "event.format.office_hours": {
        "en": "Copilot office hours",
        "nl": "Copilot-spreekuur",
        "fr": "Permanence Copilot",
    },
    "event.format.promptathon": {"en": "Prompt-a-thon", "nl": "Promptathon", "fr": "Promptathon"},
    "event.new.heading": {
        "en": "📅 {format}: {title}",
        "nl": "📅 {format}: {title}",
        "fr": f"📅 {{format}}{NBSP}: {{title}}",
    },
    "event.new.body": {
        "en": "Join in and learn from your colleagues.",
        "nl": "Doe mee en leer van je collega's.",
        "fr": "Rejoignez-nous et apprenez de vos collègues.",
    },
    "event.changed.heading": {
        "en": "📅 Changed: {title}",
        "nl": "📅 Gewijzigd: {title}",
        "fr": f"📅 Modifié{NBSP}: {{title}}",
    },
    "event.changed.body": {
        "en": "This event has changed. The latest details:",
        "nl": "Deze activiteit is gewijzigd. De nieuwe gegevens:",
        "fr": f"Cet événement a changé. Les nouvelles informations{NBSP}:",
    },
    "event.cancelled.heading": {
        "en": "❌ Cancelled: {title}",
        "nl": "❌ Geannuleerd: {title}",
        "fr": f"❌ Annulé{NBSP}: {{title}}",
    },
    "event.cancelled.body": {
        "en": "This event will not take place.",
        "nl": "Deze activiteit gaat niet door.",
        "fr": "Cet événement n'aura pas lieu.",
    },
    "event.what": {"en": "What", "nl": "Wat", "fr": "Quoi"},
    "event.when": {"en": "When", "nl": "Wanneer", "fr": "Quand"},
    "event.for": {"en": "For", "nl": "Voor", "fr": "Pour"},
    "event.host": {"en": "Host", "nl": "Host", "fr": "Animation"},
    "everyone": {"en": "Everyone", "nl": "Iedereen", "fr": "Tout le monde"},
    "champion.heading": {
        "en": "🌟 Welcome our new Copilot champion",
        "nl": "🌟 Welkom aan onze nieuwe Copilot-kampioen",
        "fr": "🌟 Bienvenue dans l'équipe des champions Copilot",
    },
    "champion.named": {
        "en": "{name} is now a Copilot champion for {departments}. Ask them anything about "
        "Copilot!",
        "nl": "{name} is nu Copilot-kampioen voor {departments}. Stel gerust al je vragen "
        "over Copilot!",
        "fr": "{name} est désormais champion Copilot pour {departments}. N'hésitez pas à lui "
        f"poser vos questions sur Copilot{NBSP}!",
    },
    "champion.anonymous": {
        "en": "A colleague is now a Copilot champion for {departments}.",
        "nl": "Een collega is nu Copilot-kampioen voor {departments}.",
        "fr": "Un collègue est désormais champion Copilot pour {departments}.",
    },
    "champion.anonymous_plain": {
        "en": "A colleague is now a Copilot champion.",
        "nl": "Een collega is nu Copilot-kampioen.",
        "fr": "Un collègue est désormais champion Copilot.",
    },
    "champion.everyone": {"en": "everyone", "nl": "iedereen", "fr": "tout le monde"},
    "champion.apps": {"en": "Knows their way in", "nl": "Wegwijs in", "fr": "Connaît bien"},
}

APPS = APP_NAMES


def app_name(app: str) -> str:
    return APPS.get(app, app)


def day_text(day: date, lang: Language) -> str:
    """``Tuesday 3 March 2026``, ``dinsdag 3 maart 2026``, ``mardi 3 mars 2026``."""
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    weekday, month = WEEKDAYS[lang][day.weekday()], MONTHS[lang][day.month - 1]
    return f"{weekday} {first} {month} {day.year}"


def when(starts: datetime, ends: datetime, lang: Language) -> str:
    """When an event takes place, as the clocks where it is held show it (both times are
    in the organisation's zone already)."""
    start, end = f"{starts:%H:%M}", f"{ends:%H:%M}"
    if starts.date() == ends.date():
        return f"{day_text(starts.date(), lang)}, {start}{DASH}{end}"
    return f"{day_text(starts.date(), lang)}, {start} {DASH} {day_text(ends.date(), lang)}, {end}"


def percent(rate: float, lang: Language) -> str:
    """A rate (0..1) as a whole percentage: ``12%``, or ``12 %`` (no-break) in French."""
    whole = round(rate * 100)
    return f"{whole}{NBSP}%" if lang == "fr" else f"{whole}%"


def plain(text: str) -> str:
    """Someone's own words in a card: as written, but never a Markdown link (a zero-width
    space between ``]`` and ``(``), so a card cannot dress up a link."""
    return text.replace("](", "]\u200b(")
