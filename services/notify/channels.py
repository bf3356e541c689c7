"""Where shout-outs go: channel configuration and the routing rules between them.

A channel is a Teams Workflows webhook or a Viva Engage community. Routing is
by department (``departments``; none means the whole company) and by kind of
notification (``kinds``).

Awards go to every channel that wants them: the company's and their department's.
The community's cards are addressed: a tip, an event or a new champion to its
departments' Teams channels (:func:`to_departments`), where a department without a
channel of its own falls back to the company's (the default channel, ``departments``
absent); a story to the company's channels (:func:`company`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from shared.languages import Language
from shared.settings import NotifySettings

Kind = Literal[
    "badge",
    "level",
    "challenge",
    "burst",
    "weekly",
    "spotlight",
    "tip",
    "story",
    "kudos",
    "event",
    "champion",
]
ALL_KINDS: list[Kind] = [
    "badge",
    "level",
    "challenge",
    "burst",
    "weekly",
    "spotlight",
    "tip",
    "story",
    "kudos",
    "event",
    "champion",
]


class Channel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    type: Literal["teams", "engage"]
    url: SecretStr | None = None  # Teams Workflows webhook; carries a sig= secret
    group_id: str | None = None  # Viva Engage community
    topics: list[str] = []
    language: Language = "nl"
    departments: list[str] | None = None
    kinds: list[Kind] = ALL_KINDS
    daily_limit: int | None = None

    @model_validator(mode="after")
    def _target(self) -> Channel:
        if self.type == "teams" and self.url is None:
            raise ValueError(f"teams channel {self.name!r} needs a url")
        if self.type == "engage" and not self.group_id:
            raise ValueError(f"engage channel {self.name!r} needs a group_id")
        return self

    def wants(self, kind: str, department: str | None) -> bool:
        if kind not in self.kinds:
            return False
        return self.departments is None or department in self.departments


_CHANNELS = TypeAdapter(list[Channel])


def _validated(raw: object) -> list[Channel]:
    """The channels, or a ValueError that says what is wrong without echoing a webhook URL."""
    try:
        return _CHANNELS.validate_python(raw)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise ValueError(f"channels are not valid: {reasons}") from None


def load_channels(settings: NotifySettings) -> list[Channel]:
    """Channels from NOTIFY_CHANNELS (JSON), NOTIFY_CHANNELS_FILE (YAML/JSON), or the basics."""
    if settings.notify_channels:
        channels = _validated(json.loads(settings.notify_channels.get_secret_value()))
    elif settings.notify_channels_file:
        raw = yaml.safe_load(Path(settings.notify_channels_file).read_text())
        channels = _validated(raw["channels"] if isinstance(raw, dict) else raw)
    else:
        channels = []
        if settings.teams_webhook_url:
            channels.append(
                Channel(
                    name="teams",
                    type="teams",
                    url=settings.teams_webhook_url,
                    language=settings.notify_language,
                )
            )
        if settings.engage_group_id:
            channels.append(
                Channel(
                    name="engage",
                    type="engage",
                    group_id=settings.engage_group_id,
                    topics=["Copilot"],
                    language=settings.notify_language,
                )
            )
    names = [c.name for c in channels]
    if len(names) != len(set(names)):
        raise ValueError("channel names must be unique")
    return channels


def route(channels: list[Channel], kind: str, department: str | None) -> list[Channel]:
    return [c for c in channels if c.wants(kind, department)]


def company(channels: Iterable[Channel], kind: str, type_: str = "teams") -> list[Channel]:
    """The default channels: the whole company's, of ``type_``, that want ``kind``."""
    return [c for c in channels if c.departments is None and c.type == type_ and kind in c.kinds]


def to_departments(
    channels: Iterable[Channel], kind: str, departments: Iterable[str]
) -> list[Channel]:
    """The Teams channels of ``departments`` that want ``kind``, in configuration order.

    A department no channel names falls back to the default channels; so does an empty
    list (everyone). A department whose channels do not want ``kind`` gets nothing: its
    admin chose so.
    """
    teams = [c for c in channels if c.type == "teams"]
    wanted: set[str] = set()
    named = list(dict.fromkeys(departments))
    fallback = not named
    for department in named:
        own = [c for c in teams if c.departments is not None and department in c.departments]
        if not own:
            fallback = True
        wanted.update(c.name for c in own if kind in c.kinds)
    if fallback:
        wanted.update(c.name for c in company(teams, kind))
    return [c for c in teams if c.name in wanted]
