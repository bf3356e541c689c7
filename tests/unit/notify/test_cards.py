"""Every card kind, in both languages, against the Adaptive Card 1.5 schema; privacy in the text."""

from __future__ import annotations

import json
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
    LevelFacts,
    SpotlightFacts,
    TeamScore,
    WeeklyFacts,
    dump_facts,
    load_facts,
)
from services.notify.teams import MAX_MESSAGE_BYTES, envelope
from services.sandbox.messaging import check_envelope

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


@pytest.mark.parametrize("lang", ["nl", "en"])
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
    assert "earned" in texts_of(en) and "verdiend" in texts_of(nl)
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
