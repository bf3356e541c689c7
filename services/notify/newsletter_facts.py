"""What a newsletter card says, as facts (see :mod:`services.notify.facts`).

The gateway words an issue in every language; each channel's row keeps only the text
in its own language, so a row stays small and the card is told as the admin previewed
it. A newsletter names no pseudonym: an author appears only by the name the gateway
may show, so an erasure has no row of theirs to take out here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events import NewsletterText


class NewsletterFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["newsletter"] = "newsletter"
    newsletter: str
    cadence: Literal["weekly", "monthly"]
    since: date
    until: date
    text: NewsletterText  # in the channel's language
