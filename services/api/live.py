"""Live updates for office screens: awards in, Server-Sent Events out.

Every award scoring publishes on AWARDS becomes one screen message, encoded
once and queued for every connected screen. Points awards arrive in bursts
(a whole usage report at a time), so they are coalesced into at most one
``boards`` message per interval: the first goes out at once, the rest of the
burst in one trailing message. Badges, levels and challenges are celebrated
one by one, up to a few per second. A slow screen loses its oldest messages,
never blocks the others.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sse_starlette import ServerSentEvent

from services.api.directory import Snapshot
from shared.events import (
    AwardBase,
    BadgeAwarded,
    ChallengeCompleted,
    CloudEvent,
    LevelReached,
    PointsAwarded,
)
from shared.leaderboards import Scope

RETRY_MS = 3000


def encode(event: str, data: dict[str, Any]) -> bytes:
    return ServerSentEvent(
        data=json.dumps(data, separators=(",", ":")), event=event, retry=RETRY_MS
    ).encode()


def screen_message(award: AwardBase, directory: Snapshot, min_size: int) -> dict[str, Any]:
    """What a screen may show of an award: no person id, a name only if opted in."""
    team = award.team
    if team and directory.group_size(Scope.TEAMS, team) < min_size:
        team = None
    message: dict[str, Any] = {
        "kind": award.event_type.removeprefix("awards."),
        "name": directory.name_of(award.person),
        "team": team,
    }
    if isinstance(award, PointsAwarded):
        message["points"] = award.points
    elif isinstance(award, BadgeAwarded | LevelReached | ChallengeCompleted):
        message["title"] = award.title
    return message


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
        self._pending: dict[str, Any] | None = None
        self._pending_count = 0
        self._trailing: asyncio.TimerHandle | None = None
        self._window_start = 0.0
        self._celebrated = 0
        self.recent: deque[dict[str, Any]] = deque(maxlen=12)

    def award(self, event: CloudEvent[Any], directory: Snapshot) -> None:
        data = event.data
        if not isinstance(data, AwardBase):
            return
        message = screen_message(data, directory, self._min) | {"at": event.time.isoformat()}
        self._boards_changed(message)
        if message["kind"] != "points":
            self.recent.appendleft(message)
            self._celebrate(message)

    def rules_changed(self) -> None:
        """A new rule set rewrites every board: screens reload everything."""
        self._on_boards_changed()
        self.fanout.broadcast(encode("boards", {"kind": "rules"}))

    def _celebrate(self, message: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self._window_start >= self._interval:
            self._window_start, self._celebrated = now, 0
        if self._celebrated < self._budget:
            self._celebrated += 1
            self.fanout.broadcast(encode("celebration", message))

    def _boards_changed(self, message: dict[str, Any]) -> None:
        self._on_boards_changed()
        now = time.monotonic()
        if self._trailing is None and now - self._last_boards >= self._interval:
            self._send_boards(message, 1)
            return
        self._pending = message
        self._pending_count += 1
        if self._trailing is None:
            delay = self._interval - (now - self._last_boards)
            self._trailing = asyncio.get_running_loop().call_later(max(0.0, delay), self._flush)

    def _flush(self) -> None:
        self._trailing = None
        if self._pending is not None:
            self._send_boards(self._pending, self._pending_count)
            self._pending, self._pending_count = None, 0

    def _send_boards(self, message: dict[str, Any], count: int) -> None:
        self._last_boards = time.monotonic()
        self.fanout.broadcast(encode("boards", message | {"awards": count}))

    def close(self) -> None:
        if self._trailing is not None:
            self._trailing.cancel()
