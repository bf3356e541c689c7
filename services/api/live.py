"""Live updates for office screens: awards and community news in, Server-Sent Events out.

Every award scoring publishes on AWARDS counts towards a screen message, encoded
once and queued for every connected screen. Points awards arrive in bursts
(a whole usage report at a time, hundreds per batch message), so they are
coalesced into at most one ``boards`` message per interval, which says how many
awards it stands for: the first burst goes out on the next turn of the event
loop, the rest in one trailing message at the end of the interval. Badges,
levels and challenges are celebrated one by one, up to a few per second. A slow
screen loses its oldest messages, never blocks the others.

The community's announcements (COMMUNITY) go out as ``community`` messages that
tell screens which view to read again: an approved or withdrawn story, a kudos
(also shown as a shout-out, within the same budget as celebrations, with the names
of people who opted in only), a champion event whose check-in opens or changes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sse_starlette import ServerSentEvent

from services.api.champions.codes import OPEN_AFTER, OPEN_BEFORE
from services.api.directory import Snapshot
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    ChampionEventChanged,
    CloudEvent,
    KudosGiven,
    LevelReached,
    Payload,
    PointsAwarded,
    StoryPublished,
)
from shared.languages import LANGUAGES
from shared.leaderboards import Scope

RETRY_MS = 3000


def encode(event: str, data: dict[str, Any]) -> bytes:
    return ServerSentEvent(
        data=json.dumps(data, separators=(",", ":")), event=event, retry=RETRY_MS
    ).encode()


def screen_message(award: AwardBase, directory: Snapshot, min_size: int) -> dict[str, Any]:
    """What a screen may show of an award: no person id, a name only if opted in."""
    team = award.team
    if team and not directory.shown(Scope.TEAMS, team, min_size):
        team = None
    message: dict[str, Any] = {
        "kind": award.event_type.removeprefix("awards."),
        "name": directory.name_of(award.person),
        "team": team,
    }
    if isinstance(award, PointsAwarded):
        message["points"] = award.points
    elif isinstance(award, BadgeAwarded | LevelReached | ChallengeCompleted):
        message["title"] = award.title  # in the rule set's language
        # In every language; where the rule set gives none, its own language's.
        message["titles"] = {language: award.title_in(language) for language in LANGUAGES}
    return message


def community_message(payload: Payload, directory: Snapshot) -> dict[str, Any] | None:
    """What a screen needs to hear of a community announcement; None for the rest.

    No person id and no message text: a name only of people who opted in (the
    screen says "a colleague" for the others), the stories themselves are read
    again from ``/api/screen/stories``.
    """
    if isinstance(payload, StoryPublished):
        return {"kind": "story", "change": str(payload.change)}
    if isinstance(payload, KudosGiven):
        return {
            "kind": "kudos",
            "giver": directory.name_of(payload.giver),
            "receiver": directory.name_of(payload.receiver),
            "value": payload.value,
        }
    if isinstance(payload, ChampionEventChanged):
        return {
            "kind": "event",
            "change": str(payload.change),
            "opens_at": (payload.starts_at - OPEN_BEFORE).isoformat(),
            "closes_at": (payload.ends_at + OPEN_AFTER).isoformat(),
        }
    return None


def is_community(event: CloudEvent[Any]) -> bool:
    return event.type.startswith("community.")


class Fanout:
    """Connected screens, each with a bounded queue of encoded messages."""

    def __init__(self, queue_size: int = 32) -> None:
        self._queues: set[asyncio.Queue[bytes]] = set()
        self._queue_size = queue_size

    def __len__(self) -> int:
        return len(self._queues)

    def subscribe(self) -> asyncio.Queue[bytes]:
        queue: asyncio.Queue[bytes] = asyncio.Queue(self._queue_size)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[bytes]) -> None:
        self._queues.discard(queue)

    def broadcast(self, message: bytes) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)


class Live:
    """Turns awards into screen messages: coalesced boards, rate-limited celebrations."""

    def __init__(
        self,
        fanout: Fanout,
        min_group_size: int,
        *,
        interval: float = 1.0,
        celebrations_per_interval: int = 5,
        on_boards_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.fanout = fanout
        self._min = min_group_size
        self._interval = interval
        self._budget = celebrations_per_interval
        self._on_boards_changed = on_boards_changed
        self._last_boards = -interval
        self._pending: tuple[CloudEvent[Any], Snapshot] | None = None  # the latest award
        self._pending_count = 0
        self._trailing: asyncio.Handle | None = None
        self._window_start = 0.0
        self._celebrated = 0
        self.recent: deque[dict[str, Any]] = deque(maxlen=12)

    def award(self, event: CloudEvent[Any], directory: Snapshot) -> None:
        data = event.data
        if not isinstance(data, AwardBase):
            return
        self._boards_changed(event, directory)
        if not isinstance(data, PointsAwarded):
            message = self._message(event, directory)
            self.recent.appendleft(message)
            self._celebrate(message)

    def _message(self, event: CloudEvent[Any], directory: Snapshot) -> dict[str, Any]:
        return screen_message(event.data, directory, self._min) | {"at": event.time.isoformat()}

    def community(self, event: CloudEvent[Any], directory: Snapshot) -> None:
        """Tell screens to read a view again; a kudos is also a shout-out."""
        message = community_message(event.data, directory)
        if message is None:
            return
        message["at"] = event.time.isoformat()
        if message["kind"] == "kudos":
            self._celebrate(message, "community")
        else:
            self.fanout.broadcast(encode("community", message))

    def rules_changed(self) -> None:
        """A new rule set rewrites every board: screens reload everything."""
        self._on_boards_changed()
        self.fanout.broadcast(encode("boards", {"kind": "rules"}))

    def _celebrate(self, message: dict[str, Any], event: str = "celebration") -> None:
        now = time.monotonic()
        if now - self._window_start >= self._interval:
            self._window_start, self._celebrated = now, 0
        if self._celebrated < self._budget:
            self._celebrated += 1
            self.fanout.broadcast(encode(event, message))

    def _boards_changed(self, event: CloudEvent[Any], directory: Snapshot) -> None:
        """Count the award towards the next ``boards`` message; describe only the last one.

        The message goes out on the next turn of the event loop, or at the end of
        the interval when one was sent less than an interval ago, so the awards
        of one bus message (a batch holds hundreds) are counted in one message.
        """
        self._on_boards_changed()
        self._pending = (event, directory)
        self._pending_count += 1
        if self._trailing is None:
            delay = self._interval - (time.monotonic() - self._last_boards)
            loop = asyncio.get_running_loop()
            self._trailing = (
                loop.call_later(delay, self._flush) if delay > 0 else loop.call_soon(self._flush)
            )

    def _flush(self) -> None:
        self._trailing = None
        if self._pending is not None:
            event, directory = self._pending
            count = self._pending_count
            self._pending, self._pending_count = None, 0
            self._last_boards = time.monotonic()
            message = self._message(event, directory) | {"awards": count}
            self.fanout.broadcast(encode("boards", message))

    def close(self) -> None:
        if self._trailing is not None:
            self._trailing.cancel()
