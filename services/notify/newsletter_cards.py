"""A newsletter issue as a Teams card (Adaptive Card 1.5) and as a Viva Engage post.

Both are built from one list of card elements, so the Engage post is the card's text
(what :func:`services.notify.cards.render_text` makes of it) and the admin's preview
shows exactly what the channels get. Lines are cut at :data:`MAX_ITEM` characters and
the whole at :data:`MAX_POST` (whole lines left out), which keeps a full issue inside
both a Teams message (28 KB) and the post length this module allows on Engage (a
cautious figure: Engage documents none for ``messages.json``).
"""

from __future__ import annotations

import json
from typing import Any

from services.notify.blocks import heading, paragraph
from shared.events import NewsletterText

CARD_VERSION = "1.5"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_CARD_BYTES = 28 * 1024 - 512  # as services.notify.cards: room for the envelope
MAX_ITEMS = 10  # all a section may hold
MAX_ITEM = 300
MAX_POST = 5000
BULLET = "• "
# A mark per section, so that a reader scrolling a channel or the Engage feed finds theirs.
MARKS = {"stories": "🌟", "teams": "🏆", "badges": "🏅", "tip": "💡"}

Card = dict[str, Any]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def newsletter_content(text: NewsletterText) -> tuple[str, list[Any]]:
    """The heading and the body elements of the card; lines past :data:`MAX_POST`
    characters in all are left out, whole."""
    blocks: list[Any] = [heading(text.title), paragraph(text.intro, subtle=True)]
    used = len(text.title) + len(text.intro) + 1
    for section in text.sections:
        caption = f"{MARKS[section.kind]} {section.heading}"
        lines = [BULLET + _short(item, MAX_ITEM) for item in section.items[:MAX_ITEMS]]
        if not lines:
            continue
        if used + len(caption) + len(lines[0]) + 2 > MAX_POST:
            break
        blocks.append(paragraph(caption) | {"weight": "Bolder", "spacing": "Medium"})
        used += len(caption) + 1
        for line in lines:
            if used + len(line) + 1 > MAX_POST:
                break
            blocks.append(paragraph(line))
            used += len(line) + 1
    return text.title, blocks


def _card(title: str, body: list[Any], lang: str) -> Card:
    return {
        "$schema": SCHEMA_URL,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": lang,
        "fallbackText": title,
        "body": body,
    }


def card_bytes(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode())


def newsletter_card(text: NewsletterText, lang: str) -> Card:
    """The card as the Teams channels get it (without the "open" button a channel adds)."""
    title, body = newsletter_content(text)
    card = _card(title, body, lang)
    while card_bytes(card) > MAX_CARD_BYTES and len(body) > 2:
        body = body[:-1]
        card = _card(title, body, lang)
    return card


def engage_post(text: NewsletterText) -> str:
    """The Viva Engage post: the card's lines as plain text."""
    _, body = newsletter_content(text)
    return "\n".join(block["text"].replace("**", "") for block in body)
