"""The screen's and pages' words in every language, and rule content in the reader's."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pytest

from services.api.i18n import PAGE_TEXTS, TEXTS, page_texts, texts
from services.api.localized import celebration_in, challenge_in_words, day_month, profile_in
from services.api.published import RulesDocument
from services.api.schemas import BadgeView, Celebration, Goal, LevelView, Profile, TierView
from services.scoring.rulebook import default_rules
from shared.languages import LANGUAGES, Language


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", [TEXTS, PAGE_TEXTS], ids=["screen", "pages"])
def test_every_word_is_there_in_every_language_with_the_same_blanks(
    table: dict[str, dict[str, str]],
) -> None:
    assert set(table) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(table[lang]) == set(table["en"]), lang
        for key, text in table[lang].items():
            assert fields(text) == fields(table["en"][key]), (lang, key)


def test_a_word_not_yet_translated_falls_back_to_english() -> None:
    assert texts("fr")["live"] == "En direct"
    assert page_texts("fr") == PAGE_TEXTS["en"] | PAGE_TEXTS["fr"]


def test_challenge_rules_in_words() -> None:
    document = RulesDocument.model_validate(
        {
            "challenges": [
                {
                    "id": "dec",
                    "title": {"nl": "December", "fr": "Décembre"},
                    "scope": "team",
                    "winners": 3,
                    "start": "2026-12-01",
                    "end": "2026-12-31",
                }
            ]
        }
    )
    [challenge] = document.challenges
    assert challenge.title.in_language("fr") == "Décembre"
    assert challenge.title.in_language("en") == "December"  # the rule set's language stands in
    french = challenge_in_words(challenge, "fr")
    assert french.startswith("Du 1er décembre au 31 décembre, les équipes s'affrontent")
    assert french.endswith("Les 3 premiers l'emportent.")
    dutch = challenge_in_words(challenge, "nl")
    assert dutch.startswith("Van 1 december tot 31 december strijden teams om punten")
    english = challenge_in_words(challenge.model_copy(update={"scope": "person"}), "en")
    assert english.startswith("From 1 December to 31 December, colleagues compete")
    assert "per licensed member" not in english
    assert day_month(date(2026, 3, 2), "fr") == "2 mars"


def test_a_celebration_takes_the_title_in_the_language_asked_for() -> None:
    at = datetime(2026, 11, 26, tzinfo=UTC)
    item = Celebration(kind="badge", title="Ontdekker", titles={"fr": "Explorateur"}, at=at)
    assert celebration_in(item, "fr").title == "Explorateur"
    assert celebration_in(item, "en").title == "Ontdekker"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_profile_in_every_language(lang: Language) -> None:
    rules = default_rules()
    profile = Profile(
        opted_in=False,
        name=None,
        team=None,
        department=None,
        standings=[],
        rules_version=1,
        level=LevelView(
            level=2, title="Ontdekker", points=100, next_level=3, next_title="x", next_points=300
        ),
        badges=[
            BadgeView(id="first-word", title="x", earned_on=date(2026, 11, 2)),
            BadgeView(id="retired", title="Early bird", earned_on=date(2026, 11, 2)),
        ],
        tier=TierView(id="none", title="x", active_weeks=0, weekly_actions=0),
        next_goals=[Goal(kind="badge", id="explorer-3", title="x", progress=1, target=3)],
    )
    shown = profile_in(profile, rules, lang)
    levels = {level.level: level.title for level in rules.levels}
    badges = {badge.id: badge.title for badge in rules.badges}
    assert shown.level is not None and shown.tier is not None
    assert shown.level.title == levels[2].in_language(lang)
    assert shown.level.next_title == levels[3].in_language(lang)
    assert [b.title for b in shown.badges] == [
        badges["first-word"].in_language(lang),
        "Early bird",  # no longer in the rules: the title it was earned with
    ]
    assert shown.tier.title == rules.tiers.fallback.in_language(lang)
    assert shown.next_goals[0].title == badges["explorer-3"].in_language(lang)
