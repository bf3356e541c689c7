"""The newsletter's periods, tip choice, wording in nl/en/fr and email layout, from content
built by hand (the gathering itself is tested over SQL and Redis in tests/integration)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.newsletter import periods
from services.api.newsletter.compose import compose, compose_all
from services.api.newsletter.content import (
    BadgeLine,
    Content,
    StoryLine,
    TeamLine,
    Tip,
    pick_tip,
)
from services.api.newsletter.email import WIDTH, render_email
from services.api.newsletter.texts import PAGE_WORDS, WORDS
from shared.events import NewsletterPublished
from shared.languages import LANGUAGES

WEEK = periods.parse("weekly", "2026-W48")
NBSP = "\u00a0"


def full_content(period: periods.Period = WEEK) -> Content:
    return Content(
        period=period,
        stories=[
            StoryLine("Drafted the tender in an hour", "word", 90, "Anna Peeters", "Sales"),
            StoryLine("Summarised a long thread", "teams", 20, None, "Finance"),
            StoryLine("Cleaned a budget sheet", "excel", 15, None, None),
        ],
        stories_total=4,
        teams=[TeamLine("Sales Ops", 12.34, 8), TeamLine("Legal", 7.0, 6)],
        hidden_teams=2,
        badges=[
            BadgeLine("explorer", {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"}, 12),
            BadgeLine("first", {"nl": "Eerste", "en": "First", "fr": "Premier"}, 1),
        ],
        badge_people=13,
        tip=Tip(
            use_case="teams-meeting-recap",
            app="teams",
            titles={"nl": "Vergaderverslag", "en": "Meeting recap", "fr": "Compte rendu"},
            descriptions={"nl": "Beschrijving", "en": "Description", "fr": "Description"},
            prompts={"nl": ["Vat samen"], "en": ["Summarise"], "fr": ["Résume"]},
            reason="rotation",
        ),
    )


def test_the_last_complete_week_and_month_before_a_day() -> None:
    friday = date(2026, 12, 4)
    week = periods.last_complete("weekly", friday)
    assert (week.key, week.since, week.until) == (
        "2026-W48",
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    month = periods.last_complete("monthly", friday)
    assert (month.key, month.since, month.until) == (
        "2026-11",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    # On a Monday, the week that just ended; on the 1st, the month that just ended.
    assert periods.last_complete("weekly", date(2026, 11, 30)).key == "2026-W48"
    assert periods.last_complete("monthly", date(2027, 1, 1)).key == "2026-12"


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_a_chosen_period_is_complete_and_round_trips(today: date) -> None:
    for cadence in ("weekly", "monthly"):
        period = periods.last_complete(cadence, today)
        assert period.until < today
        assert period.until + timedelta(days=1) > today - (
            7 if cadence == "weekly" else 31
        ) * timedelta(days=1)
        assert periods.parse(cadence, period.key) == period
        assert periods.chosen(cadence, period.key, today) == period
        earlier = periods.recent(cadence, today, 3)
        assert [p.ordinal() for p in earlier] == [period.ordinal() - n for n in range(3)]


@pytest.mark.parametrize(
    ("cadence", "key", "why"),
    [
        ("weekly", "2026-11", "not an ISO week"),
        ("weekly", "2026-W54", "not a week of its year"),
        ("monthly", "2026-13", "not a month"),
        ("monthly", "2026-W48", "not a month"),
        ("weekly", "2026-W49", "not over yet"),
        ("monthly", "2026-12", "not over yet"),
    ],
)
def test_a_period_that_is_not_one_or_still_runs_is_refused(
    cadence: str, key: str, why: str
) -> None:
    with pytest.raises(periods.PeriodError, match=why):
        periods.chosen(cadence, key, date(2026, 12, 4))  # type: ignore[arg-type]


CANDIDATES = [("a", "word"), ("b", "excel"), ("c", "excel"), ("d", "teams")]


def test_the_tip_is_about_the_app_used_least_and_rotates_within_it() -> None:
    shares = {"word": 0.5, "excel": 0.1, "teams": 0.3}
    assert pick_tip(CANDIDATES, shares, 10) == ("b", "lowest_share")
    assert pick_tip(CANDIDATES, shares, 11) == ("c", "lowest_share")
    # An app nobody used has a share of 0: it is the one to try.
    assert pick_tip(CANDIDATES, {"word": 0.5, "excel": 0.1}, 10) == ("d", "lowest_share")


def test_without_usage_the_tip_rotates_through_the_library() -> None:
    assert [pick_tip(CANDIDATES, None, n) for n in range(5)] == [
        ("a", "rotation"),
        ("b", "rotation"),
        ("c", "rotation"),
        ("d", "rotation"),
        ("a", "rotation"),
    ]
    assert pick_tip([], None, 3) is None


@given(
    st.dictionaries(st.sampled_from(["word", "excel", "teams", "loop"]), st.floats(0, 1)),
    st.integers(0, 10_000),
)
def test_the_tip_is_always_of_a_least_used_app_whatever_order_the_figures_come_in(
    shares: dict[str, float], ordinal: int
) -> None:
    picked = pick_tip(CANDIDATES, shares or None, ordinal)
    reordered = dict(reversed(list(shares.items())))
    assert picked == pick_tip(CANDIDATES, reordered or None, ordinal)
    assert picked is not None
    apps = dict(CANDIDATES)
    if shares:
        lowest = min(shares.get(app, 0.0) for app in apps.values())
        assert shares.get(apps[picked[0]], 0.0) == lowest
        # Week after week, every use case of that app comes round.
        same_app = {uc for uc, app in CANDIDATES if app == apps[picked[0]]}
        seen = {pick_tip(CANDIDATES, shares, ordinal + n)[0] for n in range(len(same_app))}  # type: ignore[index]
        assert seen == same_app


def test_every_word_is_in_every_language_with_the_same_placeholders() -> None:
    for key, texts in WORDS.items():
        assert set(texts) == set(LANGUAGES), key
        fields = {lang: set(re.findall(r"\{(\w+)\}", text)) for lang, text in texts.items()}
        assert fields["nl"] == fields["en"] == fields["fr"], key
    assert set(PAGE_WORDS["nl"]) == set(PAGE_WORDS["en"]) == set(PAGE_WORDS["fr"])


def test_french_puts_a_no_break_space_before_colons_and_question_marks() -> None:
    french = [texts["fr"] for texts in WORDS.values()] + list(PAGE_WORDS["fr"].values())
    for text in french:
        for found in re.finditer(r"[:?!]", text):
            assert found.start() > 0 and text[found.start() - 1] == NBSP, text


def test_an_issue_in_each_language_names_only_who_may_be_named() -> None:
    texts = compose_all(full_content(), min_size=5)
    en = texts["en"]
    assert en.title == "Copilot newsletter: week 48"
    assert en.intro.startswith(
        "What colleagues achieved with Copilot from 23 November to 29 November."
    )
    assert "4 approved stories, 13 colleagues with a new badge" in en.intro
    stories, teams, badges, tip = en.sections
    assert stories.items[0] == (
        "“Drafted the tender in an hour” — Anna Peeters, with Copilot in Word: 90 min saved"
    )
    assert stories.items[1].endswith("A colleague in Finance, with Copilot in Teams: 20 min saved")
    assert stories.items[2].endswith("A colleague, with Copilot in Excel: 15 min saved")
    assert stories.items[3] == "And 1 more on the community page."
    assert teams.items == [
        "1. Sales Ops: 12.3 points per member (8 members)",
        "2. Legal: 7.0 points per member (6 members)",
        "2 teams with fewer than 5 members are not shown.",
    ]
    assert badges.items == ["Explorer: 12 colleagues", "First: 1 colleague"]
    assert tip.heading == "Tip of the week: Meeting recap" and tip.items == [
        "Description",
        "Try: “Summarise”",
    ]
    nl, fr = texts["nl"], texts["fr"]
    assert nl.title == "Copilot-nieuwsbrief: week 48"
    assert nl.sections[1].items[0] == "1. Sales Ops: 12,3 punten per lid (8 leden)"
    assert fr.title == f"Lettre Copilot{NBSP}: semaine 48"
    assert fr.sections[2].items[0] == f"Explorateur{NBSP}: 12 collègues"
    assert fr.sections[3].items[1] == f"Essayez{NBSP}: «{NBSP}Résume{NBSP}»"
    # The event carries these texts as they are.
    event = NewsletterPublished(
        newsletter="n-1", cadence="weekly", since=WEEK.since, until=WEEK.until, texts=texts
    )
    assert NewsletterPublished.model_validate_json(event.model_dump_json()) == event


def test_a_quiet_period_still_has_every_section_saying_so() -> None:
    for lang in LANGUAGES:
        text = compose(Content(period=periods.parse("monthly", "2026-10")), lang, min_size=5)
        assert [s.kind for s in text.sections] == ["stories", "teams", "badges"]
        assert all(len(s.items) == 1 for s in text.sections)
    en = compose(Content(period=periods.parse("monthly", "2026-10")), "en", min_size=5)
    assert en.title == "Copilot newsletter: October 2026"
    assert en.intro == "What colleagues achieved with Copilot from 1 October to 31 October."
    assert [s.items[0] for s in en.sections] == [
        "No new stories this time. Share yours on the community page!",
        "No team scores for this period yet.",
        "No new badges this time.",
    ]
    assert compose(Content(period=WEEK), "fr", 5).intro.startswith(
        "Ce que les collègues ont accompli avec Copilot du 23 novembre"
    )


def test_small_teams_are_counted_never_named() -> None:
    content = Content(period=WEEK, teams=[], hidden_teams=3)
    for lang in LANGUAGES:
        items = compose(content, lang, min_size=5).sections[1].items
        assert len(items) == 2 and "3" in items[1] and "5" in items[1]


def test_long_stories_fit_the_events_limits() -> None:
    story = StoryLine("word " * 120, "word", 30, "A" * 200, None)
    content = Content(period=WEEK, stories=[story] * 5, stories_total=40)
    for lang in LANGUAGES:
        text = compose(content, lang, min_size=5)
        assert all(len(item) <= 600 for s in text.sections for item in s.items)
        first = text.sections[0].items[0]
        assert first.startswith("«\u00a0word word" if lang == "fr" else "“word word")
        assert "…" in first


class Layout(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_email_is_a_600_pixel_table_with_inline_styles_and_nothing_to_fetch(lang: str) -> None:
    text = compose(full_content(), lang, min_size=5)  # type: ignore[arg-type]
    html = render_email(text, lang)  # type: ignore[arg-type]
    layout = Layout()
    layout.feed(html)
    names = [tag for tag, _ in layout.tags]
    assert {"script", "img", "link", "style", "div", "iframe"}.isdisjoint(names)
    assert not re.search(r"url\(|https?://(?!www\.w3\.org/1999/xhtml)", html)
    widths = [attrs.get("width") for tag, attrs in layout.tags if tag == "table"]
    assert str(WIDTH) in widths
    assert all(attrs.get("style") for tag, attrs in layout.tags if tag == "td")
    words = " ".join(layout.text)
    assert text.title in words and all(item in words for s in text.sections for item in s.items)
    assert f'<html lang="{lang}"' in html


def test_the_email_escapes_what_colleagues_wrote() -> None:
    story = StoryLine('<script>alert(1)</script> & "quotes"', "word", 5, None, None)
    html = render_email(
        compose(Content(period=WEEK, stories=[story], stories_total=1), "en", 5), "en"
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
