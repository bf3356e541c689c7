"""A tip sent for a nudge says the adoption gap it answers, in Dutch, English and French,
as a valid Adaptive Card 1.5; a tip without a gap reads as it always did."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest

from services.notify.cards import render_card
from services.notify.facts import dump_facts, load_facts
from shared.events import AdoptionGap, App
from shared.languages import LANGUAGES, Language
from tests.unit.notify.test_cards import texts_of
from tests.unit.notify.test_community_cards import SCHEMA, TIP

GAP = AdoptionGap(
    app=App.EXCEL, department_rate=0.12, organisation_rate=0.4149, weeks=4, until=date(2026, 3, 1)
)
NUDGE = TIP.model_copy(update={"gap": GAP})
NBSP = "\u00a0"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_nudge_tip_is_a_valid_card_that_keeps_its_gap(lang: Language) -> None:
    card = render_card(NUDGE, lang, {}, app_url="https://uptake.example/me")
    jsonschema.validate(card, SCHEMA)
    assert card["version"] == "1.5" and card["lang"] == lang
    assert load_facts(dump_facts(NUDGE)) == NUDGE


def test_a_nudge_tip_says_the_departments_rate_against_the_organisations() -> None:
    english = texts_of(render_card(NUDGE, "en", {}))
    assert (
        "Excel: 12% of your department used Copilot in Excel in the last 4 weeks, "
        "41% across the organisation. Try this:" in english
    )
    assert "Explain the largest variances" in english
    dutch = texts_of(render_card(NUDGE, "nl", {}))
    assert (
        "Excel: 12% van je afdeling gebruikte Copilot in Excel in de laatste 4 weken, "
        "tegenover 41% in de hele organisatie. Probeer dit:" in dutch
    )
    assert "Leg de grootste verschillen uit" in dutch
    french = texts_of(render_card(NUDGE, "fr", {}))
    assert (
        f"Excel{NBSP}: 12{NBSP}% de votre département ont utilisé Copilot dans Excel ces 4 "
        f"dernières semaines, contre 41{NBSP}% dans l'ensemble de l'organisation. "
        f"À essayer{NBSP}:" in french
    )


def test_a_one_week_gap_without_prompts_still_reads_well() -> None:
    one_week = GAP.model_copy(update={"weeks": 1})
    bare = NUDGE.model_copy(update={"gap": one_week, "prompts": {}})
    english = texts_of(render_card(bare, "en", {}))
    assert "used Copilot in Excel last week, 41% across the organisation. Try it today." in english
    assert "Try this:" not in english


def test_a_tip_without_a_gap_says_nothing_about_rates() -> None:
    english = texts_of(render_card(TIP, "en", {}))
    assert "%" not in english and "Try this in Excel:" in english
