"""What people use Copilot for: finding information, creating, or communicating.

Each app a signal can come from (interaction history's ``appClass`` and the usage
report's per-app columns both end up as :class:`shared.events.App`) is mapped to the
intent most of its Copilot actions serve:

- **find**: Copilot Chat (``BizChat``, the report's "Copilot Chat"), where people ask
  questions over their work data and the web;
- **create**: Word, Excel, PowerPoint, OneNote and Loop, where Copilot drafts, analyses
  and rewrites documents;
- **communicate**: Outlook and Teams, where Copilot drafts and summarises mail, chats
  and meetings;
- ``other``: actions whose app is not known, reported apart rather than guessed.

An app holds a mix (a Teams meeting recap is also finding information), so the split is
a guide to where usage leans, not a measurement of each action's purpose.
"""

from __future__ import annotations

from enum import StrEnum

from shared.events import App


class Intent(StrEnum):
    FIND = "find"
    CREATE = "create"
    COMMUNICATE = "communicate"
    OTHER = "other"


INTENT_OF_APP: dict[App, Intent] = {
    App.CHAT: Intent.FIND,
    App.WORD: Intent.CREATE,
    App.EXCEL: Intent.CREATE,
    App.POWERPOINT: Intent.CREATE,
    App.ONENOTE: Intent.CREATE,
    App.LOOP: Intent.CREATE,
    App.OUTLOOK: Intent.COMMUNICATE,
    App.TEAMS: Intent.COMMUNICATE,
    App.OTHER: Intent.OTHER,
}


def intent_of(app: str) -> Intent:
    """The intent of an app's actions; an unknown app is ``other``."""
    try:
        return INTENT_OF_APP[App(app)]
    except ValueError:
        return Intent.OTHER
