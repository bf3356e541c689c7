"""An issue in words: the gathered content as a :class:`NewsletterText` per language.

The texts are what notify posts and what the email shows, so every line obeys the
event's limits (a heading of 200 characters, at most ten lines of 600 each). Every
section is there even when the period was quiet: it then says so in one line.
"""

from __future__ import annotations

import re

from services.api.localized import day_month
from services.api.newsletter.content import Content, StoryLine
from services.api.newsletter.periods import Period
from services.api.newsletter.texts import app_name, word
from shared.events import NewsletterSection, NewsletterText
from shared.languages import LANGUAGES, MONTHS, Language

MAX_LINE = 600
MAX_HEADING = 200
MAX_PROMPTS = 3
NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word with an ellipsis when longer than ``limit``."""
    flat = _SPACES.sub(" ", text).strip()  # a no-break space stays where it is
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "…"


def title(period: Period, lang: Language) -> str:
    if period.cadence == "weekly":
        return word("title.weekly", lang, week=period.key.split("-W")[1].lstrip("0"))
    month = f"{MONTHS[lang][period.since.month - 1]} {period.since.year}"
    return word("title.monthly", lang, month=month)


def _story(line: StoryLine, lang: Language) -> str:
    app = app_name(line.app)
    if line.author:
        by = word("story.named", lang, name=line.author, app=app, minutes=line.minutes_saved)
    elif line.department:
        by = word(
            "story.department",
            lang,
            department=line.department,
            app=app,
            minutes=line.minutes_saved,
        )
    else:
        by = word("story.colleague", lang, app=app, minutes=line.minutes_saved)
    quote = clip(line.text, MAX_LINE - len(by) - 8)
    if lang == "fr":
        return f"«{NBSP}{quote}{NBSP}» — {by}"
    return f"“{quote}” — {by}"


def _stories(content: Content, lang: Language) -> NewsletterSection:
    items = [_story(line, lang) for line in content.stories]
    if not items:
        items = [word("stories.none", lang)]
    elif content.stories_total > len(content.stories):
        items.append(word("stories.more", lang, count=content.stories_total - len(items)))
    return NewsletterSection(kind="stories", heading=word("stories", lang), items=items)


def _number(value: float, lang: Language) -> str:
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang in ("nl", "fr") else shown


def _teams(content: Content, lang: Language, min_size: int) -> NewsletterSection:
    items = [
        clip(
            word(
                "team",
                lang,
                rank=rank,
                team=line.team,
                value=_number(line.points_per_member, lang),
                members=line.members,
            ),
            MAX_LINE,
        )
        for rank, line in enumerate(content.teams, start=1)
    ]
    if not items:
        items = [word("teams.none", lang)]
    if content.hidden_teams:
        items.append(word("teams.hidden", lang, count=content.hidden_teams, min_size=min_size))
    return NewsletterSection(kind="teams", heading=word("teams", lang), items=items)


def _badges(content: Content, lang: Language) -> NewsletterSection:
    items = [
        clip(
            word(
                "badge.one" if line.people == 1 else "badge",
                lang,
                title=line.titles.get(lang) or line.badge,
                people=line.people,
            ),
            MAX_LINE,
        )
        for line in content.badges
    ]
    return NewsletterSection(
        kind="badges", heading=word("badges", lang), items=items or [word("badges.none", lang)]
    )


def _tip(content: Content, lang: Language) -> NewsletterSection | None:
    tip = content.tip
    if tip is None:
        return None
    key = "tip" if content.period.cadence == "weekly" else "tip.month"
    heading = clip(word(key, lang, title=tip.titles[lang]), MAX_HEADING)
    prompts = [
        clip(word("tip.prompt", lang, prompt=prompt), MAX_LINE)
        for prompt in tip.prompts[lang][:MAX_PROMPTS]
    ]
    return NewsletterSection(
        kind="tip", heading=heading, items=[clip(tip.descriptions[lang], MAX_LINE), *prompts]
    )


def compose(content: Content, lang: Language, min_size: int) -> NewsletterText:
    period = content.period
    intro = word(
        "intro", lang, since=day_month(period.since, lang), until=day_month(period.until, lang)
    )
    if content.stories_total or content.badge_people:
        intro += word(
            "intro.figures", lang, stories=content.stories_total, people=content.badge_people
        )
    sections = [
        _stories(content, lang),
        _teams(content, lang, min_size),
        _badges(content, lang),
    ]
    tip = _tip(content, lang)
    if tip is not None:
        sections.append(tip)
    return NewsletterText(title=title(period, lang), intro=clip(intro, MAX_LINE), sections=sections)


def compose_all(content: Content, min_size: int) -> dict[str, NewsletterText]:
    return {lang: compose(content, lang, min_size) for lang in LANGUAGES}
