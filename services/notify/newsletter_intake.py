"""From ``NewsletterPublished`` to outbox rows: the issue goes to every company-wide
Teams channel and, when the admin asked for it, to every company-wide Viva Engage
community, each in the channel's own language.

An admin sends an issue by hand after previewing it, so it goes to the company's
channels whatever automatic kinds they take. Each row's key is
``<channel>:<event id>`` (:class:`services.notify.community_intake.Told`), so a
redelivered or repeated event adds nothing.
"""

from __future__ import annotations

from services.notify.channels import Channel
from services.notify.newsletter_facts import NewsletterFacts
from shared.events import NewsletterPublished, NewsletterText


def in_language(texts: dict[str, NewsletterText], language: str) -> NewsletterText | None:
    """The issue in ``language``, else English, else any language it has."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), None)


def newsletter_cards(
    channels: list[Channel], issue: NewsletterPublished
) -> list[tuple[Channel, NewsletterFacts]]:
    wanted = {"teams", "engage"} if issue.post_to_engage else {"teams"}
    cards = []
    for channel in channels:
        if channel.departments is not None or channel.type not in wanted:
            continue
        text = in_language(issue.texts, channel.language)
        if text is None:
            continue
        facts = NewsletterFacts(
            newsletter=issue.newsletter,
            cadence=issue.cadence,
            since=issue.since,
            until=issue.until,
            text=text,
        )
        cards.append((channel, facts))
    return cards
