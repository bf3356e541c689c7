"""Titles and descriptions in Dutch, English and French: plain strings still load, gaps warn."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.scoring.admin import validate
from services.scoring.domain.rules import (
    TITLE_MAX,
    RuleSetError,
    dump_rules,
    language_gaps,
    parse_rules,
    validate_rules,
)
from services.scoring.rulebook import default_rules
from shared.languages import LANGUAGES, Text

OLD_STYLE = """
name: Stored before titles had languages
description: Try Copilot everywhere.
badges:
  - {type: first_use, id: first-word, title: First Copilot draft, app: word}
levels:
  - {level: 1, title: Curious, points: 0}
  - {level: 2, title: Explorer, points: 100}
challenges:
  - {id: dec, title: Most active team in December, start: 2026-12-01, end: 2026-12-31}
"""


def test_a_rule_set_with_plain_titles_still_loads_and_shows_them_in_every_language() -> None:
    rules = parse_rules(OLD_STYLE)
    title = rules.badges[0].title
    assert rules.language == "nl"
    assert title == "First Copilot draft"
    assert {title.in_language(lang) for lang in LANGUAGES} == {"First Copilot draft"}
    assert rules.challenges[0].title.every()["fr"] == "Most active team in December"


def test_the_default_rule_set_speaks_dutch_english_and_french_without_gaps() -> None:
    rules = default_rules()
    assert rules.language == "nl" and language_gaps(rules) == []
    badge = next(b for b in rules.badges if b.id == "active-days-20")
    assert badge.title == "20 actieve dagen"  # what the ledger keeps: the rule set's language
    assert badge.title.every() == {
        "nl": "20 actieve dagen",
        "en": "20 active days",
        "fr": "20 jours actifs",
    }
    assert rules.challenges[0].title.in_language("nl") == "Actiefste team van december"
    texts = [rules.description, *(level.title for level in rules.levels)]
    assert all(not text.missing() for text in texts)


def test_a_missing_language_is_a_warning_and_the_rule_set_language_stands_in() -> None:
    source = """
language: fr
levels:
  - {level: 1, points: 0, title: {fr: Curieux, en: Curious}}
  - {level: 2, points: 100, title: {en: Explorer}}
"""
    checked = validate(source)
    assert checked.ok and checked.problems == []
    assert [str(w) for w in checked.warnings] == [
        "levels.0.title: no Dutch text; the French one is shown instead",
        "levels.1.title: no Dutch or French text; the English one is shown instead",
    ]
    assert checked.rules is not None
    curious, explorer = (level.title for level in checked.rules.levels)
    assert curious == "Curieux" and curious.in_language("nl") == "Curieux"
    assert explorer == "Explorer" and explorer.in_language("fr") == "Explorer"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("{nl: Start, de: Anfang}", "unknown language 'de': use nl, en or fr"),
        ("{nl: ''}", "the Dutch text (nl) must be a non-empty string"),
        ("{}", "give the text in at least one language (nl, en, fr)"),
        ("[Start]", "a text is a string, or a mapping per language (nl, en, fr)"),
        ("{fr: " + "x" * 201 + "}", "the French text is longer than 200 characters"),
    ],
)
def test_bad_texts_are_errors_naming_their_path(title: str, message: str) -> None:
    with pytest.raises(RuleSetError) as raised:
        parse_rules(f"levels:\n  - {{level: 1, points: 0, title: {title}}}\n")
    assert [(p.path, p.message) for p in raised.value.problems] == [("levels.0.title", message)]


def test_an_unknown_rule_set_language_is_an_error() -> None:
    with pytest.raises(RuleSetError) as raised:
        parse_rules("language: de\n")
    assert raised.value.problems[0].path == "language"


def test_built_in_defaults_take_the_rule_set_language() -> None:
    french, dutch = parse_rules("language: fr\n"), parse_rules("{}")
    assert french.tiers.tiers[0].title == "Utilisateur expert"
    assert (
        french.tiers.fallback == "Pas encore utilisateur" and french.levels[0].title == "Débutant"
    )
    assert dutch.tiers.tiers[0].title == "Poweruser" and language_gaps(french) == []


texts = st.dictionaries(
    st.sampled_from(LANGUAGES),
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=TITLE_MAX
    ).filter(str.strip),
    min_size=1,
)


@given(
    language=st.sampled_from(LANGUAGES),
    title=texts | st.text(min_size=1, max_size=TITLE_MAX).filter(str.strip),
)
def test_a_stored_rule_set_reads_back_as_it_was_written(
    language: str, title: dict[str, str] | str
) -> None:
    document = {
        "language": language,
        "levels": [{"level": 1, "points": 0, "title": title}],
        "badges": [{"type": "explorer", "id": "x", "title": title, "apps": 3}],
    }
    rules = validate_rules(document)
    stored = json.loads(dump_rules(rules))
    again = validate_rules(stored)
    assert again == rules
    assert stored["levels"][0]["title"] == (
        title if not isinstance(title, dict) or set(title) != {language} else title[language]
    )
    read = again.badges[0].title
    assert isinstance(read, Text)
    for lang in LANGUAGES:
        given_text = title.get(lang) if isinstance(title, dict) else None
        assert read.in_language(lang) == (given_text or str(read))
