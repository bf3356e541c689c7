"""The community's cards: a tip (with the adoption gap it answers, when a nudge sent it),
a success story, kudos (alone or many at once), a champion event (announced, changed,
cancelled) and a new champion.

``names`` holds the people who may be named (opted in); everyone else is "a colleague".
Kudos name both people or neither: a thank-you between a named and an unnamed colleague
is told as one between colleagues. Someone's own words (a story, an event's title)
never become a link.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.notify.blocks import fact_set, heading, paragraph
from services.notify.community_facts import (
    ChampionFacts,
    CommunityFacts,
    EventFacts,
    KudosBurstFacts,
    KudosFacts,
    StoryFacts,
    TipFacts,
    in_language,
)
from services.notify.community_texts import COMMUNITY_TEXTS, app_name, percent, plain, when
from services.notify.texts import join_names
from services.notify.texts import t as _t
from shared.events import AdoptionGap
from shared.languages import Language
from shared.small_groups import GroupSizes

MAX_PROMPTS = 3
MAX_PAIRS = 5


def community_told(
    facts: CommunityFacts, names: Mapping[str, str], sizes: GroupSizes, min_size: int
) -> CommunityFacts:
    """``facts`` without the departments too small to mention beside an unnamed person."""
    match facts:
        case StoryFacts():
            if facts.author is not None and facts.author in names:
                return facts
            if sizes.department_shown(facts.department, min_size):
                return facts
            return facts.model_copy(update={"department": None})
        case ChampionFacts():
            if facts.person in names:
                return facts
            shown = [d for d in facts.departments if sizes.department_shown(d, min_size)]
            return facts.model_copy(update={"departments": shown})
    return facts


def kudos_value(value: str, lang: Language) -> str:
    texts = COMMUNITY_TEXTS.get(f"kudos.value.{value}")
    return texts[lang] if texts else value.replace("_", " ")


def _gap(gap: AdoptionGap, lang: Language) -> str:
    """The gap a nudge answers, in words: the department's rate against the organisation's."""
    if gap.weeks == 1:
        period = _t("tip.gap.week", lang)
    else:
        period = _t("tip.gap.weeks", lang, weeks=gap.weeks)
    return _t(
        "tip.gap",
        lang,
        app=app_name(gap.app.value),
        department=percent(gap.department_rate, lang),
        organisation=percent(gap.organisation_rate, lang),
        period=period,
    )


def _tip(facts: TipFacts, lang: Language) -> tuple[str, list[Any]]:
    """A use case with its sample prompts; sent for a nudge, it first says the gap."""
    title = _t("tip.heading", lang, title=plain(in_language(facts.titles, lang)))
    app = app_name(facts.app)
    prompts = facts.prompts_in(lang)[:MAX_PROMPTS]
    quoted = [paragraph(f"“{plain(prompt)}”", subtle=True) for prompt in prompts]
    if facts.gap is not None:
        follow = _t("tip.gap.intro" if prompts else "tip.gap.try", lang)
        return title, [heading(title), paragraph(f"{_gap(facts.gap, lang)} {follow}"), *quoted]
    if not prompts:
        return title, [heading(title), paragraph(_t("tip.try", lang, app=app))]
    return title, [heading(title), paragraph(_t("tip.intro", lang, app=app)), *quoted]


def _story(facts: StoryFacts, lang: Language, names: Mapping[str, str]) -> tuple[str, list[Any]]:
    if facts.minutes_saved > 1:
        title = _t("story.heading", lang, minutes=facts.minutes_saved)
    else:
        title = _t("story.heading_one" if facts.minutes_saved else "story.heading_none", lang)
    app = app_name(facts.app)
    name = names.get(facts.author) if facts.author else None
    if name:
        by = _t("story.by_named", lang, name=name, app=app)
    elif facts.department:
        by = _t("story.by_department", lang, department=facts.department, app=app)
    else:
        by = _t("story.by_colleague", lang, app=app)
    return title, [heading(title), paragraph(f"“{plain(facts.text)}”"), paragraph(by, subtle=True)]


def _kudos(facts: KudosFacts, lang: Language, names: Mapping[str, str]) -> tuple[str, list[Any]]:
    title = _t("kudos.heading", lang)
    value = kudos_value(facts.value, lang)
    giver, receiver = names.get(facts.giver), names.get(facts.receiver)
    if giver and receiver:
        body = _t("kudos.named", lang, giver=giver, receiver=receiver, value=value)
    else:
        body = _t("kudos.anonymous", lang, value=value)
    return title, [heading(title), paragraph(body)]


def _kudos_burst(
    facts: KudosBurstFacts, lang: Language, names: Mapping[str, str]
) -> tuple[str, list[Any]]:
    title = _t("kudos_burst.heading", lang, total=facts.total)
    blocks = [heading(title), paragraph(_t("kudos_burst.intro", lang, total=facts.total))]
    blocks += fact_set(
        _t("kudos_burst.values", lang),
        [(kudos_value(v.label, lang), str(v.count)) for v in facts.values[:MAX_PAIRS]],
    )
    pairs = [
        f"{names[pair[0]]} → {names[pair[1]]}"
        for pair in facts.pairs
        if len(pair) == 2 and pair[0] in names and pair[1] in names
    ][:MAX_PAIRS]
    if pairs:
        blocks.append(paragraph(_t("kudos_burst.named", lang, pairs=join_names(pairs, lang))))
    return title, blocks


def _event(facts: EventFacts, lang: Language, names: Mapping[str, str]) -> tuple[str, list[Any]]:
    kind = COMMUNITY_TEXTS.get(f"event.format.{facts.format}")
    what = kind[lang] if kind else facts.format.replace("_", " ")
    event_title = plain(facts.title)
    title = _t(f"event.{facts.notice}.heading", lang, format=what, title=event_title)
    rows = [
        (_t("event.what", lang), what),
        (_t("event.when", lang), when(facts.starts_at, facts.ends_at, lang)),
        (_t("event.for", lang), ", ".join(facts.departments) or _t("everyone", lang)),
    ]
    host = names.get(facts.host) if facts.host else None
    if host and facts.notice != "cancelled":
        rows.append((_t("event.host", lang), host))
    body = paragraph(_t(f"event.{facts.notice}.body", lang))
    return title, [heading(title), body, *fact_set(None, rows)]


def _champion(
    facts: ChampionFacts, lang: Language, names: Mapping[str, str]
) -> tuple[str, list[Any]]:
    title = _t("champion.heading", lang)
    name = names.get(facts.person)
    departments = join_names(facts.departments, lang) or _t("champion.everyone", lang)
    if name:
        body = _t("champion.named", lang, name=name, departments=departments)
    elif facts.departments:
        body = _t("champion.anonymous", lang, departments=departments)
    else:  # for everyone, or only for departments too small to mention
        body = _t("champion.anonymous_plain", lang)
    apps = [app_name(app) for app in facts.apps]
    rows = [(_t("champion.apps", lang), ", ".join(apps))] if apps else []
    return title, [heading(title), paragraph(body), *fact_set(None, rows)]


def community_content(
    facts: CommunityFacts, lang: Language, names: Mapping[str, str]
) -> tuple[str, list[Any]]:
    """The heading and the body elements of a community card."""
    match facts:
        case TipFacts():
            return _tip(facts, lang)
        case StoryFacts():
            return _story(facts, lang, names)
        case KudosFacts():
            return _kudos(facts, lang, names)
        case KudosBurstFacts():
            return _kudos_burst(facts, lang, names)
        case EventFacts():
            return _event(facts, lang, names)
        case ChampionFacts():
            return _champion(facts, lang, names)
