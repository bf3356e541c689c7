"""The sandbox's small card renderer and the sliding-window limit."""

from __future__ import annotations

import time

from services.notify.cards import render_card
from services.notify.facts import TeamScore, WeeklyFacts
from services.notify.ratelimit import SlidingWindow
from services.sandbox.messaging import check_envelope
from services.sandbox.messaging import render_card as to_html


def test_rendered_card_shows_text_and_facts_and_escapes_markup() -> None:
    facts = WeeklyFacts(
        week="2026-W48",
        top_teams=[TeamScore(team="<script>x</script>", value=3)],
        climbers=[],
        new_habits=2,
    )
    page = to_html(render_card(facts, "nl", {}, app_url="https://uptake.example/screen"))
    assert "Terugblik op week 2026-W48" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<table class='facts'>" in page and "https://uptake.example/screen" in page
    assert "data-version='1.5'" in page


def test_markdown_bold_becomes_strong_and_unknown_elements_are_named() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "**Anna** wins"}, {"type": "Media"}],
    }
    page = to_html(card)
    assert "<strong>Anna</strong> wins" in page and "Media is not rendered" in page


def test_sandbox_rejects_envelopes_teams_would_reject() -> None:
    card: dict[str, object] = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    good = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
    assert check_envelope(good) is None
    assert check_envelope({"attachments": []}) is not None
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card | {"version": "1.6"},
    }
    newer = {"type": "message", "attachments": [attachment]}
    assert "1.5 at most" in (check_envelope(newer) or "")


async def test_sliding_window_lets_no_more_than_the_limit_start_in_a_period() -> None:
    window = SlidingWindow(calls=3, period=0.3)
    starts = []
    for _ in range(7):
        await window.acquire()
        starts.append(time.monotonic())
    for i in range(3, 7):
        assert starts[i] - starts[i - 3] >= 0.3 - 1e-3
