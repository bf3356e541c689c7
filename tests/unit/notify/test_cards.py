"""Every card kind, in Dutch, English and French, against the Adaptive Card 1.5 schema;
rule-set titles in the channel's language; privacy in the text."""

from __future__ import annotations

import json
import string
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from services.notify.cards import CARD_VERSION, render_card, render_text
from services.notify.facts import (
    BadgeFacts,
    BurstFacts,
    ChallengeFacts,
    Count,
    Facts,
    Label,
    LevelFacts,
    SpotlightFacts,
    TeamScore,
    WeeklyFacts,
    dump_facts,
    load_facts,
)
from services.notify.teams import MAX_MESSAGE_BYTES, envelope
from services.notify.texts import TEXTS
from services.sandbox.messaging import check_envelope
from shared.languages import LANGUAGES, Language

SCHEMA = json.loads((Path(__file__).parent / "adaptive-card-1.5-subset.json").read_text())
DAY = date(2026, 11, 23)
NAMES = {"p-anna": "Anna Peeters"}

ALL_FACTS: list[Facts] = [
    BadgeFacts(
        person="p-anna", team="Finance Ops", badge="explorer", title="Explorer", activity_date=DAY
    ),
    LevelFacts(person="p-bram", team="Legal", level=3, title="Navigator", activity_date=DAY),
    ChallengeFacts(
        person="p-anna",
        team="Finance Ops",
        challenge="c1",
        title="Excel week",
        scope="team",
        winner="Finance Ops",
        rank=1,
        value=12.5,
        activity_date=DAY,
    ),
    BurstFacts(
        total=2400,
        titles=[Count(label="Explorer", count=2000)],
        teams=[Count(label="Legal", count=900)],
        people=["p-anna", "p-bram"],
    ),
    WeeklyFacts(
        week="2026-W47",
        top_teams=[TeamScore(team="Legal", value=14.2)],
        climbers=[TeamScore(team="Sales", value=3.0)],
        new_habits=4,
        habit_people=["p-anna"],
    ),
    SpotlightFacts(
        week="2026-W47", person="p-anna", team="Finance Ops", points=120, badges=["Explorer"]
    ),
]


def texts_of(card: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(str(v) for k, v in node.items() if k in ("text", "title", "value"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return " ".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("facts", ALL_FACTS, ids=lambda f: f.kind)
def test_every_card_is_valid_adaptive_card_1_5_under_28kb(facts: Facts, lang: str) -> None:
    card = render_card(facts, lang, NAMES, app_url="https://uptake.example/board")  # type: ignore[arg-type]
    jsonschema.validate(card, SCHEMA)
    assert card["version"] == CARD_VERSION == "1.5"
    assert card["lang"] == lang
    assert len(json.dumps(envelope(card)).encode()) < MAX_MESSAGE_BYTES
    assert check_envelope(envelope(card)) is None


def test_schema_subset_rejects_what_teams_would_not_render() -> None:
    card = render_card(ALL_FACTS[0], "en", NAMES)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(card | {"version": "1.6"}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(card | {"body": [{"type": "TextBlock", "txt": "typo"}]}, SCHEMA)


def test_dutch_and_english_differ_and_name_only_opted_in_people() -> None:
    anna = ALL_FACTS[0]
    en, nl = render_card(anna, "en", NAMES), render_card(anna, "nl", NAMES)
    fr = render_card(anna, "fr", NAMES)
    assert "earned" in texts_of(en) and "behaald" in texts_of(nl) and "obtenu" in texts_of(fr)
    assert "Anna Peeters" in texts_of(en)
    anonymous = render_card(anna, "en", {})
    assert "Anna" not in texts_of(anonymous) and "Finance Ops" in texts_of(anonymous)
    teamless = BadgeFacts(person="p-x", badge="b", title="Explorer", activity_date=DAY)
    assert "A colleague" in texts_of(render_card(teamless, "en", {}))


def test_person_challenge_winner_is_named_only_when_opted_in() -> None:
    facts = ChallengeFacts(
        person="p-bram",
        team="Legal",
        challenge="c",
        title="Sprint",
        scope="person",
        winner="p-bram",
        rank=1,
        value=3,
        activity_date=DAY,
    )
    assert "p-bram" not in texts_of(render_card(facts, "en", {}))
    assert "Someone in Legal" in texts_of(render_card(facts, "en", {}))
    assert "Bram" in texts_of(render_card(facts, "en", {"p-bram": "Bram"}))


def test_burst_names_only_the_opted_in() -> None:
    text = texts_of(render_card(ALL_FACTS[3], "en", NAMES))
    assert "Anna Peeters" in text and "p-bram" not in text and "2400" in text


def test_facts_round_trip_and_engage_text_has_no_markdown() -> None:
    for facts in ALL_FACTS:
        assert load_facts(dump_facts(facts)) == facts
    text = render_text(ALL_FACTS[0], "nl", NAMES)
    assert "**" not in text and "Explorer" in text


def test_every_text_is_written_in_every_language() -> None:
    for key, by_language in TEXTS.items():
        assert set(by_language) == set(LANGUAGES), key
        fields = {frozenset(_fields(text)) for text in by_language.values()}
        assert len(fields) <= 2, key  # one language may add a field (a French ordinal)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


EXPLORER = {"nl": "Ontdekker", "en": "Explorer", "fr": "Explorateur"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rule_set_titles_appear_in_the_channel_language(lang: Language) -> None:
    others = [title for language, title in EXPLORER.items() if language != lang]
    cards: list[Facts] = [
        BadgeFacts(
            person="p-anna", badge="x", title="Ontdekker", titles=EXPLORER, activity_date=DAY
        ),
        LevelFacts(person="p-anna", level=2, title="Ontdekker", titles=EXPLORER, activity_date=DAY),
        ChallengeFacts(
            person="p-anna",
            challenge="c",
            title="Ontdekker",
            titles=EXPLORER,
            scope="person",
            winner="p-anna",
            rank=2,
            value=3,
            activity_date=DAY,
        ),
        BurstFacts(total=3, titles=[Count(label="Ontdekker", count=3, titles=EXPLORER)], teams=[]),
        SpotlightFacts(
            week="2026-W47",
            person="p-anna",
            points=10,
            badges=[Label(title="Ontdekker", titles=EXPLORER), "Early bird"],
        ),
    ]
    for facts in cards:
        text = texts_of(render_card(facts, lang, NAMES))
        assert EXPLORER[lang] in text, facts.kind
        assert not any(title in text for title in others), facts.kind


def test_a_title_without_a_translation_falls_back_to_the_rule_set_language() -> None:
    facts = BadgeFacts(
        person="p-anna", badge="x", title="Ontdekker", titles={"en": "Explorer"}, activity_date=DAY
    )
    assert "Ontdekker" in texts_of(render_card(facts, "fr", NAMES))
    assert "Explorer" in texts_of(render_card(facts, "en", NAMES))


def test_french_cards_read_as_belgian_french() -> None:
    winner = ChallengeFacts(
        person="p-anna",
        team="Finance Ops",
        challenge="c",
        title="Semaine Excel",
        scope="person",
        winner="p-anna",
        rank=1,
        value=12,
        activity_date=DAY,
    )
    text = texts_of(render_card(winner, "fr", NAMES))
    assert "Anna Peeters termine à la 1re place du défi **Semaine Excel**." in text
    assert "Défi remporté\u00a0: Semaine Excel" in text
    second = winner.model_copy(update={"rank": 2})
    assert "à la 2e place" in texts_of(render_card(second, "fr", NAMES))
    anonymous = texts_of(render_card(ALL_FACTS[0], "fr", {}))
    assert "Quelqu'un de l'équipe Finance Ops a obtenu le badge **Explorer**." in anonymous
    burst = texts_of(render_card(ALL_FACTS[3], "fr", NAMES))
    assert "2400 nouvelles distinctions" in burst and "Félicitations à Anna Peeters\u00a0!" in burst


def test_old_spotlight_facts_with_plain_badge_titles_still_render() -> None:
    stored = (
        '{"kind":"spotlight","week":"2026-W47","person":"p-anna","points":5,'
        '"badges":["Early bird"]}'
    )
    facts = load_facts(stored)
    assert "Early bird" in texts_of(render_card(facts, "fr", NAMES))
