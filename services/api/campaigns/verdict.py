"""A campaign's effect in plain words (nl, en, fr): the verdict, the assumption, and why
an effect cannot be shown yet. Pure: numbers and names in, sentences out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.api.campaigns.effect import Estimate
from services.api.i18n import Lang
from shared.languages import MONTHS

THE_KIND: dict[Lang, dict[str, str]] = {
    "nl": {
        "training": "de opleiding",
        "champion_event": "het championevenement",
        "challenge": "de uitdaging",
        "newsletter": "de nieuwsbrief",
        "other": "de campagne",
    },
    "en": {
        "training": "the training",
        "champion_event": "the champion event",
        "challenge": "the challenge",
        "newsletter": "the newsletter",
        "other": "the campaign",
    },
    "fr": {
        "training": "la formation",
        "champion_event": "l'événement des champions",
        "challenge": "le défi",
        "newsletter": "la lettre d'information",
        "other": "la campagne",
    },
}
AND: dict[Lang, str] = {"nl": "en", "en": "and", "fr": "et"}

SENTENCES: dict[Lang, dict[str, str]] = {
    "nl": {
        "since": "Sinds {kind} van {date}",
        "rose": "steeg het wekelijkse aandeel actieve mensen in {target} {points} procentpunt"
        " meer dan in de rest van de organisatie",
        "fell": "deed het wekelijkse aandeel actieve mensen in {target} het {points}"
        " procentpunt slechter dan de rest van de organisatie",
        "moved": "veranderde het wekelijkse aandeel actieve mensen in {target} {points}"
        " procentpunt ten opzichte van de rest van de organisatie",
        "interval": "95%-interval: {low} tot {high} punt",
        "real": "waarschijnlijk een echt effect",
        "real_down": "waarschijnlijk een echte achteruitgang",
        "none": "niet te onderscheiden van geen verandering",
        "assumption": "Dit vergelijkt de verandering in {target} met die in de rest van de"
        " organisatie over dezelfde weken. Het veronderstelt dat beide zonder de campagne"
        " gelijk opgegaan zouden zijn: kijk of de twee lijnen vóór de campagne parallel"
        " liepen. De week van de campagne zelf ({week}) telt niet mee: een overgangsweek.",
        "trend": "Trend vóór de campagne: {target} {target_slope}, de rest {control_slope}"
        " procentpunt per week.",
        "not_built": "De adoptiecijfers zijn nog niet opgebouwd: kom terug zodra de eerste"
        " weekcijfers er zijn.",
        "too_early": "Te vroeg om iets te zeggen: er zijn nog geen {weeks} volledige weken"
        " na de week van de campagne. Kom terug vanaf {date}.",
        "too_few_before": "Te weinig volledige weken met cijfers vóór de campagne (de cijfers"
        " beginnen op {date}): er zijn er minstens {weeks} nodig.",
        "hidden": "{departments} telt minder dan {min_size} mensen met een licentie: verborgen"
        " om de privacy te beschermen, dus het effect wordt niet getoond.",
        "no_control": "Geen enkele andere afdeling is groot genoeg om mee te vergelijken.",
    },
    "en": {
        "since": "Since {kind} on {date}",
        "rose": "the weekly active rate of {target} rose {points} points more than the rest of"
        " the organisation",
        "fell": "the weekly active rate of {target} did {points} points worse than the rest of"
        " the organisation",
        "moved": "the weekly active rate of {target} changed by {points} points relative to"
        " the rest of the organisation",
        "interval": "95% interval {low} to {high} points",
        "real": "likely a real effect",
        "real_down": "likely a real decline",
        "none": "not distinguishable from no change",
        "assumption": "This compares the change in {target} with the change in the rest of the"
        " organisation over the same weeks. It assumes both would have moved in parallel"
        " without the campaign: check that the two lines ran alike before it. The"
        " campaign's own week ({week}) is left out as a transition week.",
        "trend": "Trend before the campaign: {target} {target_slope}, the rest {control_slope}"
        " points per week.",
        "not_built": "The adoption figures have not been built yet: come back once the first"
        " weekly figures are in.",
        "too_early": "Too early to tell: there are not yet {weeks} complete weeks after the"
        " campaign's week. Come back on or after {date}.",
        "too_few_before": "Too few complete weeks of figures before the campaign (the figures"
        " start on {date}): at least {weeks} are needed.",
        "hidden": "{departments} has fewer than {min_size} licensed people: hidden to protect"
        " privacy, so its effect is not shown.",
        "no_control": "No other department is big enough to compare with.",
    },
    "fr": {
        "since": "Depuis {kind} du {date}",
        "rose": "le taux d'activité hebdomadaire de {target} a progressé de {points} points de"
        " plus que le reste de l'organisation",
        "fell": "le taux d'activité hebdomadaire de {target} a fait {points} points de moins"
        " que le reste de l'organisation",
        "moved": "le taux d'activité hebdomadaire de {target} a varié de {points} points par"
        " rapport au reste de l'organisation",
        "interval": "intervalle à 95\u00a0%\u00a0: {low} à {high} points",
        "real": "probablement un effet réel",
        "real_down": "probablement un recul réel",
        "none": "impossible à distinguer d'une absence de changement",
        "assumption": "On compare l'évolution de {target} à celle du reste de l'organisation"
        " sur les mêmes semaines. On suppose que, sans la campagne, les deux auraient évolué"
        " en parallèle\u00a0: vérifiez que les deux courbes allaient de pair avant elle. La"
        " semaine de la campagne ({week}) est laissée de côté comme semaine de transition.",
        "trend": "Tendance avant la campagne\u00a0: {target} {target_slope}, le reste"
        " {control_slope} points par semaine.",
        "not_built": "Les indicateurs d'adoption ne sont pas encore calculés\u00a0: revenez"
        " quand les premiers chiffres hebdomadaires seront là.",
        "too_early": "Trop tôt pour conclure\u00a0: il n'y a pas encore {weeks} semaines"
        " complètes après la semaine de la campagne. Revenez à partir du {date}.",
        "too_few_before": "Trop peu de semaines complètes de chiffres avant la campagne (les"
        " chiffres commencent le {date})\u00a0: il en faut au moins {weeks}.",
        "hidden": "{departments} compte moins de {min_size} personnes avec licence\u00a0:"
        " masqué pour protéger la vie privée, l'effet n'est donc pas affiché.",
        "no_control": "Aucun autre département n'est assez grand pour la comparaison.",
    },
}


def day_words(day: date, lang: Lang) -> str:
    """``12 November`` (en), ``12 november`` (nl), ``12 novembre`` (fr)."""
    return f"{day.day} {MONTHS[lang][day.month - 1]}"


def number(value: float, lang: Lang, *, signed: bool = False) -> str:
    """One decimal, with a decimal comma in Dutch and French."""
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    text = text.replace("-", "\u2212")
    return text if lang == "en" else text.replace(".", ",")


def together(names: Sequence[str], lang: Lang) -> str:
    """``Sales``, ``Sales and Finance``, ``HR, Sales and Finance``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {AND[lang]} {names[-1]}"


def verdict(
    found: Estimate, kind: str, starts_on: date, departments: Sequence[str], lang: Lang
) -> str:
    """One sentence: what changed, how sure, and what that means."""
    words = SENTENCES[lang]
    target = together(departments, lang)
    since = words["since"].format(kind=THE_KIND[lang][kind], date=day_words(starts_on, lang))
    if found.distinguishable:
        change = "rose" if found.points > 0 else "fell"
        size = number(abs(found.points), lang)
        judged = words["real"] if found.points > 0 else words["real_down"]
    else:
        change, size, judged = "moved", number(found.points, lang, signed=True), words["none"]
    interval = words["interval"].format(low=number(found.low, lang), high=number(found.high, lang))
    what = words[change].format(target=target, points=size)
    colon = "\u00a0:" if lang == "fr" else ":"
    comma = "" if lang == "nl" else ","  # Dutch puts none after the opening phrase
    return f"{since}{comma} {what} ({interval}){colon} {judged}."


def assumption(
    departments: Sequence[str], week: date, target_slope: float, control_slope: float, lang: Lang
) -> str:
    words = SENTENCES[lang]
    target = together(departments, lang)
    trend = words["trend"].format(
        target=target,
        target_slope=number(target_slope, lang, signed=True),
        control_slope=number(control_slope, lang, signed=True),
    )
    return f"{words['assumption'].format(target=target, week=day_words(week, lang))} {trend}"


def refusal(reason: str, lang: Lang, **values: object) -> str:
    """Why no effect is shown: ``not_built``, ``too_early``, ``too_few_before``,
    ``hidden`` or ``no_control``, with the values its sentence names."""
    shown = {
        key: day_words(value, lang)
        if isinstance(value, date)
        else together(value, lang)
        if isinstance(value, list | tuple)
        else value
        for key, value in values.items()
    }
    return SENTENCES[lang][reason].format(**shown)
