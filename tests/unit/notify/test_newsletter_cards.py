"""The newsletter's Teams card and Engage post: Adaptive Card 1.5 in nl, en and fr, small
enough for Teams even for the fullest issue, the post the same text as the card, and
routing to the company's channels in their own languages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from pydantic import SecretStr

from services.notify.cards import render_card, render_text
from services.notify.channels import Channel
from services.notify.facts import dump_facts, load_facts
from services.notify.newsletter_cards import (
    MAX_CARD_BYTES,
    MAX_POST,
    card_bytes,
    engage_post,
    newsletter_card,
)
from services.notify.newsletter_facts import NewsletterFacts
from services.notify.newsletter_intake import newsletter_cards
from services.notify.teams import MAX_MESSAGE_BYTES, envelope
from shared.events import NewsletterPublished, NewsletterSection, NewsletterText
from shared.languages import LANGUAGES

SCHEMA = json.loads((Path(__file__).parent / "adaptive-card-1.5-subset.json").read_text())
SINCE, UNTIL = date(2026, 11, 23), date(2026, 11, 29)


def issue_text(lang: str, *, items: int = 2, length: int = 40) -> NewsletterText:
    line = (f"{lang} " + "x" * length)[:length]
    return NewsletterText(
        title=f"Newsletter {lang}",
        intro=f"Intro {lang}",
        sections=[
            NewsletterSection(kind=kind, heading=f"{kind} {lang}", items=[line] * items)
            for kind in ("stories", "teams", "badges", "tip")
        ],
    )


def facts(text: NewsletterText) -> NewsletterFacts:
    return NewsletterFacts(newsletter="n-1", cadence="weekly", since=SINCE, until=UNTIL, text=text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_card_is_adaptive_card_1_5_in_its_language(lang: str) -> None:
    card = newsletter_card(issue_text(lang), lang)
    jsonschema.validate(card, SCHEMA)
    assert card["version"] == "1.5" and card["lang"] == lang
    texts = [block["text"] for block in card["body"]]
    assert texts[:2] == [f"Newsletter {lang}", f"Intro {lang}"]
    assert (
        f"🌟 stories {lang}" in texts
        and f"💡 tip {lang}" in texts
        and f"• {lang} " + "x" * 37 in texts
    )


def test_the_fullest_issue_stays_within_teams_and_engage_limits() -> None:
    full = NewsletterText(
        title="T" * 200,
        intro="I" * 600,
        sections=[
            NewsletterSection(kind="stories", heading="H" * 200, items=["é" * 600] * 10)
            for _ in range(8)
        ],
    )
    card = newsletter_card(full, "fr")
    jsonschema.validate(card, SCHEMA)
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert len(json.dumps(envelope(card), ensure_ascii=False).encode()) < MAX_MESSAGE_BYTES
    post = engage_post(full)
    assert len(post) <= MAX_POST
    assert all(len(line) <= 302 for line in post.splitlines()[2:])  # bullet + 300


def test_the_engage_post_is_the_cards_text_as_notify_renders_it() -> None:
    for lang in LANGUAGES:
        told = facts(issue_text(lang, items=7, length=400))
        assert engage_post(told.text) == render_text(told, lang, {})
        sent = render_card(told, lang, {}, "https://uptake.example/me")
        assert sent["body"] == newsletter_card(told.text, lang)["body"]


def test_an_empty_section_leaves_the_others_in() -> None:
    text = issue_text("en")
    sections = [text.sections[0].model_copy(update={"items": []}), *text.sections[1:]]
    card = newsletter_card(text.model_copy(update={"sections": sections}), "en")
    captions = [b["text"] for b in card["body"] if b.get("spacing") == "Medium"]
    assert captions == ["🏆 teams en", "🏅 badges en", "💡 tip en"]


def test_the_facts_survive_the_outbox() -> None:
    told = facts(issue_text("nl"))
    assert load_facts(dump_facts(told)) == told


def channel(name: str, kind: str, lang: str, departments: list[str] | None = None) -> Channel:
    if kind == "teams":
        return Channel(
            name=name,
            type="teams",
            url=SecretStr(f"https://hooks.example/{name}"),
            language=lang,
            departments=departments,
        )
    return Channel(name=name, type="engage", group_id="123", language=lang)


CHANNELS = [
    channel("company-nl", "teams", "nl"),
    channel("company-fr", "teams", "fr"),
    channel("finance", "teams", "nl", ["Finance"]),
    channel("community", "engage", "en"),
]


def published(post_to_engage: bool, languages: tuple[str, ...] = LANGUAGES) -> NewsletterPublished:
    return NewsletterPublished(
        newsletter="n-1",
        cadence="weekly",
        since=SINCE,
        until=UNTIL,
        texts={lang: issue_text(lang) for lang in languages},
        post_to_engage=post_to_engage,
    )


def test_the_issue_goes_to_the_company_channels_each_in_its_language() -> None:
    routed = newsletter_cards(CHANNELS, published(False))
    assert [(c.name, f.text.title) for c, f in routed] == [
        ("company-nl", "Newsletter nl"),
        ("company-fr", "Newsletter fr"),
    ]
    with_engage = newsletter_cards(CHANNELS, published(True))
    assert [c.name for c, _ in with_engage] == ["company-nl", "company-fr", "community"]
    assert with_engage[-1][1].text.title == "Newsletter en"


def test_a_language_the_issue_lacks_falls_back_to_english() -> None:
    routed = newsletter_cards(CHANNELS, published(False, ("en",)))
    assert {f.text.title for _, f in routed} == {"Newsletter en"}
