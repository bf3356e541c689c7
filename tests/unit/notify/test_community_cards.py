"""The community's cards in Dutch, English and French against the Adaptive Card 1.5 schema;
who is named, in what words, with what date; and where each card goes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from pydantic import SecretStr

from services.notify.cards import as_told, render_card, render_text
from services.notify.channels import Channel, company, to_departments
from services.notify.community_facts import (
    ChampionFacts,
    EventFacts,
    KudosBurstFacts,
    KudosFacts,
    StoryFacts,
    Tally,
    TipFacts,
)
from services.notify.facts import Facts, dump_facts, load_facts, people_in
from services.notify.teams import MAX_MESSAGE_BYTES, envelope
from services.sandbox.messaging import check_envelope
from shared.languages import LANGUAGES, Language
from shared.small_groups import GroupSizes
from tests.unit.notify.test_cards import texts_of

SCHEMA = json.loads((Path(__file__).parent / "adaptive-card-1.5-subset.json").read_text())
BRUSSELS = ZoneInfo("Europe/Brussels")
NAMES = {"p-anna": "Anna Peeters", "p-bram": "Bram Claes"}
# 11:00 UTC on 3 March 2026 is noon in Brussels (CET); 8 July is summer time (CEST).
NOON = datetime(2026, 3, 3, 11, 0, tzinfo=UTC).astimezone(BRUSSELS)
ONE = datetime(2026, 3, 3, 12, 0, tzinfo=UTC).astimezone(BRUSSELS)

TIP = TipFacts(
    tip="t1",
    department="Finance",
    use_case="excel-variance",
    app="excel",
    titles={"nl": "Verschillen verklaren", "en": "Explain variances", "fr": "Expliquer les écarts"},
    prompts={
        "nl": ["Leg de grootste verschillen uit"],
        "en": ["Explain the largest variances", "Which cost centres drifted?"],
        "fr": ["Explique les écarts les plus importants"],
    },
)
STORY = StoryFacts(
    story="s1",
    app="word",
    minutes_saved=45,
    text="I drafted the quarterly report in an hour",
    department="Finance",
    author="p-anna",
)
KUDOS = KudosFacts(
    kudos="k1", giver="p-anna", receiver="p-bram", value="time_saver", day=date(2026, 3, 3)
)
KUDOS_BURST = KudosBurstFacts(
    total=12,
    values=[Tally(label="helpful", count=7), Tally(label="creative", count=5)],
    pairs=[["p-anna", "p-bram"], ["p-bram", "p-carl"]],
)
EVENT = EventFacts(
    event="e1",
    notice="new",
    version=1,
    format="lunch_and_learn",
    title="Copilot in Excel",
    starts_at=NOON,
    ends_at=ONE,
    departments=["Finance"],
    host="p-anna",
)
CHAMPION = ChampionFacts(person="p-anna", version=1, departments=["Finance"], apps=["excel"])

ALL: list[Facts] = [
    TIP,
    STORY,
    KUDOS,
    KUDOS_BURST,
    EVENT,
    EVENT.model_copy(update={"notice": "changed", "version": 2}),
    EVENT.model_copy(update={"notice": "cancelled", "version": 3}),
    CHAMPION,
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("facts", ALL, ids=lambda f: f"{f.kind}-{getattr(f, 'notice', '')}")
def test_every_community_card_is_a_valid_adaptive_card_1_5(facts: Facts, lang: Language) -> None:
    for names in (NAMES, {}):
        card = render_card(facts, lang, names, app_url="https://uptake.example/me")
        jsonschema.validate(card, SCHEMA)
        assert card["version"] == "1.5" and card["lang"] == lang
        assert len(json.dumps(envelope(card)).encode()) < MAX_MESSAGE_BYTES
        assert check_envelope(envelope(card)) is None
        assert "p-" not in texts_of(card)  # a pseudonym is never shown
        assert load_facts(dump_facts(facts)) == facts


def test_a_tip_speaks_the_channel_language_with_its_sample_prompts() -> None:
    assert "Explain variances" in texts_of(render_card(TIP, "en", {}))
    assert "Which cost centres drifted?" in texts_of(render_card(TIP, "en", {}))
    dutch = texts_of(render_card(TIP, "nl", {}))
    assert "Copilot-tip: Verschillen verklaren" in dutch and "Probeer dit in Excel:" in dutch
    assert "Leg de grootste verschillen uit" in dutch and "Explain" not in dutch
    french = texts_of(render_card(TIP, "fr", {}))
    assert "Astuce Copilot\u00a0: Expliquer les écarts" in french
    english_only = TIP.model_copy(update={"titles": {"en": "Explain variances"}, "prompts": {}})
    assert "Explain variances" in texts_of(render_card(english_only, "fr", {}))
    assert "Essayez-le dès aujourd'hui dans Excel." in texts_of(render_card(english_only, "fr", {}))


def test_a_story_names_its_author_only_when_given_and_allowed() -> None:
    named = texts_of(render_card(STORY, "en", NAMES))
    assert "Copilot saved 45 minutes" in named and "I drafted the quarterly report" in named
    assert "Anna Peeters, with Copilot in Word" in named
    # the author chose to be named but did not opt in: a colleague of the department
    assert "A colleague in Finance, with Copilot in Word" in texts_of(render_card(STORY, "en", {}))
    anonymous = STORY.model_copy(update={"author": None, "department": None})
    assert "A colleague, with Copilot in Word" in texts_of(render_card(anonymous, "en", NAMES))
    assert "Copilot bespaarde 45 minuten" in texts_of(render_card(STORY, "nl", {}))
    assert "een minuut" in texts_of(
        render_card(STORY.model_copy(update={"minutes_saved": 1}), "nl", {})
    )
    text = render_text(STORY, "en", NAMES)
    assert text.splitlines()[0] == "⏱️ Copilot saved 45 minutes"


def test_a_small_department_beside_an_unnamed_author_is_left_out() -> None:
    small = GroupSizes(teams={}, departments={"Finance": 3})
    told = as_told(STORY, {}, small, 5)
    assert "Finance" not in texts_of(render_card(told, "en", {}))
    assert as_told(STORY, NAMES, small, 5) == STORY  # a named author keeps their department
    champion = as_told(CHAMPION, {}, small, 5)
    assert "A colleague is now a Copilot champion." in texts_of(render_card(champion, "en", {}))
    big = GroupSizes(teams={}, departments={"Finance": 9})
    assert "for Finance" in texts_of(render_card(as_told(CHAMPION, {}, big, 5), "en", {}))


def test_kudos_name_both_colleagues_or_neither() -> None:
    both = texts_of(render_card(KUDOS, "en", NAMES))
    assert "Anna Peeters thanked Bram Claes: **Time saver**." in both
    for names in ({"p-anna": "Anna Peeters"}, {"p-bram": "Bram Claes"}, {}):
        text = texts_of(render_card(KUDOS, "en", names))
        assert "A colleague was thanked: **Time saver**." in text
        assert "Anna" not in text and "Bram" not in text
    assert "Tijdwinst" in texts_of(render_card(KUDOS, "nl", NAMES))
    assert "a remercié Bram Claes\u00a0: **Gain de temps**" in texts_of(
        render_card(KUDOS, "fr", NAMES)
    )


def test_a_kudos_burst_counts_all_and_names_only_pairs_of_named_colleagues() -> None:
    text = texts_of(render_card(KUDOS_BURST, "en", NAMES))
    assert "12 kudos" in text and "Helpful" in text and "7" in text
    assert "Anna Peeters → Bram Claes" in text and "p-carl" not in text
    assert "Bram Claes →" not in text  # Carl cannot be named, so neither is Bram's thank-you
    erased = KUDOS_BURST.model_copy(update={"pairs": [["p-bram"], ["p-bram", "p-carl"]]})
    assert "Bram" not in texts_of(render_card(erased, "en", NAMES))


def test_event_times_are_told_on_the_organisations_clock_in_each_language() -> None:
    assert "Tuesday 3 March 2026, 12:00\u201313:00" in texts_of(render_card(EVENT, "en", {}))
    assert "dinsdag 3 maart 2026, 12:00\u201313:00" in texts_of(render_card(EVENT, "nl", {}))
    assert "mardi 3 mars 2026, 12:00\u201313:00" in texts_of(render_card(EVENT, "fr", {}))
    summer = EVENT.model_copy(
        update={
            "starts_at": datetime(2026, 7, 1, 10, 0, tzinfo=UTC).astimezone(BRUSSELS),
            "ends_at": datetime(2026, 7, 1, 11, 30, tzinfo=UTC).astimezone(BRUSSELS),
        }
    )
    assert "mercredi 1er juillet 2026, 12:00\u201313:30" in texts_of(render_card(summer, "fr", {}))
    assert "Host" in texts_of(render_card(EVENT, "en", NAMES))
    assert "Anna" not in texts_of(render_card(EVENT, "en", {}))
    changed = texts_of(render_card(EVENT.model_copy(update={"notice": "changed"}), "nl", {}))
    assert "Gewijzigd: Copilot in Excel" in changed
    cancelled = texts_of(render_card(EVENT.model_copy(update={"notice": "cancelled"}), "en", NAMES))
    assert "Cancelled: Copilot in Excel" in cancelled and "will not take place" in cancelled


def test_a_new_champion_is_welcomed_by_name_only_when_allowed() -> None:
    assert "Anna Peeters is now a Copilot champion for Finance" in texts_of(
        render_card(CHAMPION, "en", NAMES)
    )
    assert "A colleague is now a Copilot champion for Finance." in texts_of(
        render_card(CHAMPION, "en", {})
    )
    everyone = CHAMPION.model_copy(update={"departments": []})
    assert "voor iedereen" in texts_of(render_card(everyone, "nl", NAMES))


def test_own_words_never_become_a_link() -> None:
    story = STORY.model_copy(update={"text": "see [the doc](https://evil.example)"})
    text = texts_of(render_card(story, "en", {}))
    assert "](" not in text and "the doc" in text


def test_everyone_a_card_could_name_is_looked_up() -> None:
    assert people_in(KUDOS) == {"p-anna", "p-bram"}
    assert people_in(KUDOS_BURST) == {"p-anna", "p-bram", "p-carl"}
    assert people_in(STORY) == {"p-anna"} and people_in(TIP) == set()
    assert people_in(EVENT) == {"p-anna"} and people_in(CHAMPION) == {"p-anna"}


def _teams(name: str, departments: list[str] | None = None, **extra: Any) -> Channel:
    url = SecretStr(f"https://x.example/{name}?sig=s")
    return Channel(name=name, type="teams", url=url, departments=departments, **extra)


def _names(found: list[Channel]) -> list[str]:
    return [c.name for c in found]


def test_department_cards_go_to_the_departments_channels_else_the_default_one() -> None:
    channels = [
        _teams("company"),
        _teams("finance", ["Finance"]),
        _teams("legal", ["Legal"], kinds=["badge"]),
        Channel(name="engage", type="engage", group_id="42"),
    ]
    assert _names(to_departments(channels, "tip", ["Finance"])) == ["finance"]
    assert _names(to_departments(channels, "tip", ["Sales"])) == ["company"]
    assert _names(to_departments(channels, "event", [])) == ["company"]
    assert _names(to_departments(channels, "event", ["Finance", "Sales"])) == ["company", "finance"]
    assert _names(to_departments(channels, "tip", ["Legal"])) == []  # Legal wants badges only
    assert _names(company(channels, "story")) == ["company"]
    assert _names(company(channels, "story", "engage")) == ["engage"]
