"""Copilot interaction history -> one ``prompt`` event per user prompt.

Per licensed person, the window [cursor, cycle start) is read with both
``createdDateTime`` bounds and ``$top=100``, following pages; the cursor moves
to the window's end once that person's events are acknowledged. Only the
fields named here are read: the prompt ``body`` is never stored, logged or
published.

Graph has no bulk endpoint for interaction history, so people are read through
JSON batching (``$batch``, up to 20 people per request; see
:mod:`services.ingest.batching`): a slot freed by a finished person is filled
by the next one, and a person's next page rides in a later batch.

People on the suppression list (``shared.suppression``) are never read, whatever
their cursor says.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from services.ingest.batching import (
    MAX_BATCH,
    UNREADABLE,
    Pending,
    follow,
    relative_url,
    retry_wait,
    send_batch,
)
from services.ingest.encoding import encode_prompt
from services.ingest.graph import GraphClient, GraphError
from services.ingest.publisher import Publisher
from services.ingest.state import IngestState
from shared.bus import EncodedEvent
from shared.events import App
from shared.ids import pseudonym
from shared.logs import get_logger
from shared.periods import local_date

log = get_logger(__name__)

APP_CLASSES: dict[str, App] = {
    "word": App.WORD,
    "excel": App.EXCEL,
    "powerpoint": App.POWERPOINT,
    "outlook": App.OUTLOOK,
    "teams": App.TEAMS,
    "onenote": App.ONENOTE,
    "loop": App.LOOP,
    "bizchat": App.CHAT,
}
COMMIT_EVERY = 500
PROGRESS_EVERY = 2000
PUBLISH_BATCH = 5000
HISTORY = "copilot/users/{}/interactionHistory/getAllEnterpriseInteractions"


_APPS_OF: dict[str | None, App] = {}


def app_of(app_class: str | None) -> App:
    """``IPM.SkypeTeams.Message.Copilot.Word`` -> Word; anything unrecognised -> other."""
    app = _APPS_OF.get(app_class)
    if app is None:
        suffix = (app_class or "").rsplit(".", 1)[-1].lower()
        app = APP_CLASSES.get(suffix, App.OTHER)
        if len(_APPS_OF) < 1000:  # a few dozen app classes exist; never grow without bound
            _APPS_OF[app_class] = app
    return app


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class HistoryItem(msgspec.Struct, rename="camel", gc=False):
    """The fields of an aiInteraction that ingest reads (never ``body``)."""

    id: Any = None
    interaction_type: Any = None
    app_class: Any = None
    created_date_time: Any = None


class HistoryPage(msgspec.Struct):
    """A page of interaction history, or an error answer."""

    value: list[HistoryItem] = []
    next_link: Any = msgspec.field(default=None, name="@odata.nextLink")
    error: Any = None


_LOCAL_DAYS: dict[tuple[str, str], date] = {}


def _local_day(text: Any, created: datetime, tz: ZoneInfo) -> date:
    """``local_date(created, tz)``, remembered per UTC minute of Graph's usual
    ``...T08:27:22.905Z`` form (zone offsets are whole minutes)."""
    if type(text) is not str or len(text) < 17 or text[-1] != "Z":
        return local_date(created, tz)
    key = (text[:16], tz.key)
    day = _LOCAL_DAYS.get(key)
    if day is None:
        if len(_LOCAL_DAYS) > 100_000:
            _LOCAL_DAYS.clear()
        day = _LOCAL_DAYS[key] = local_date(created, tz)
    return day


def prompt_event(
    item: HistoryItem | Mapping[str, Any], person: str, tz: ZoneInfo, time: str
) -> EncodedEvent | None:
    """The event for one item; ``None`` for anything but a user prompt. Raises ``ValueError``."""
    if type(item) is not HistoryItem:
        if not isinstance(item, Mapping):
            raise TypeError("an interaction is not an object")
        item = HistoryItem(
            item.get("id"),
            item.get("interactionType"),
            item.get("appClass"),
            item.get("createdDateTime"),
        )
    if item.interaction_type != "userPrompt":
        return None
    interaction_id = item.id
    if not interaction_id:
        raise ValueError("interaction without id")
    created = parse_time(item.created_date_time)
    return encode_prompt(
        person=person,
        app=app_of(item.app_class),
        day=_local_day(item.created_date_time, created, tz),
        occurred_at=created,
        interaction_id=str(interaction_id),
        time=time,
    )


@dataclass
class InteractionOutcome:
    people: int = 0
    prompts: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class InteractionReader:
    graph: GraphClient
    state: IngestState
    publisher: Publisher
    key: str
    tz: ZoneInfo
    backfill_days: int = 28
    concurrency: int = 16  # requests in flight: batches, or people when batch_size is 1
    batch_size: int = MAX_BATCH  # people per Graph JSON batch; 1 reads person by person
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    erased: frozenset[str] = frozenset()  # the suppression list: never read their history

    async def run(self) -> InteractionOutcome:
        people = [
            oid
            for oid in await self.state.licensed_users()
            if not self.erased or pseudonym(oid, self.key) not in self.erased
        ]
        cursors = await self.state.interaction_cursors()
        now = self.clock()
        until = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Graph's precision
        default_since = until - timedelta(days=self.backfill_days)
        outcome = InteractionOutcome()
        todo = iter(people)
        # Fetched people wait here for the publisher; bounded, so fetching never runs far ahead.
        batch_size = max(1, min(self.batch_size, MAX_BATCH))
        outbox: asyncio.Queue[tuple[str, list[EncodedEvent]] | None] = asyncio.Queue(
            maxsize=self.concurrency * batch_size * 2
        )
        done: dict[str, datetime] = {}

        async def commit() -> None:
            batch = dict(done)
            done.clear()
            await self.state.commit_interaction_cursors(batch)

        async def fetcher() -> None:
            for object_id in todo:
                since = cursors.get(object_id, default_since)
                try:
                    events = await self._person(object_id, since, until)
                except GraphError as exc:
                    if exc.status in (401, 403):
                        raise
                    if exc.status == 404:  # gone since the directory sync: nothing to read
                        await outbox.put((object_id, []))
                        continue
                    outcome.failed.append(object_id)
                    log.warning("interaction history skipped", status=exc.status, code=exc.code)
                    continue
                await outbox.put((object_id, events))

        queries: dict[datetime, str] = {}

        async def batch_fetcher() -> None:
            pending: dict[str, Pending] = {}
            found: dict[str, list[EncodedEvent]] = {}
            exhausted = False
            while True:
                while not exhausted and len(pending) < batch_size:
                    object_id = next(todo, None)
                    if object_id is None:
                        exhausted = True
                    else:
                        since = cursors.get(object_id, default_since)
                        query = queries.get(since)
                        if query is None:  # most people share a window: encode it once
                            query = queries[since] = relative_url("", self._params(since, until))
                        url = HISTORY.format(object_id) + query
                        pending[object_id] = Pending(object_id, "v1.0", url)
                        found[object_id] = []
                if not pending:
                    return
                version = next(iter(pending.values())).version
                asked = {k: p.url for k, p in pending.items() if p.version == version}
                answers = await send_batch(self.graph, version, asked, HistoryPage)
                stamp = datetime.now(UTC).isoformat()
                wait = 0.0
                finished: list[str] = []
                for object_id, answer in answers.items():
                    item = pending[object_id]
                    if answer.status == 200 and answer.body is not None:
                        page = answer.body
                        await self._collect(page, object_id, stamp, found[object_id])
                        if not follow(item, page.next_link):
                            finished.append(object_id)
                    elif answer.status == 404:  # gone since the directory sync
                        found[object_id] = []
                        finished.append(object_id)
                    elif answer.status in (401, 403):
                        raise answer.error(item.url)
                    elif (delay := retry_wait(item, answer, self.graph)) is not None:
                        wait = max(wait, delay)
                    else:
                        error = answer.error(item.url)
                        outcome.failed.append(object_id)
                        log.warning(
                            "interaction history skipped", status=error.status, code=error.code
                        )
                        del pending[object_id], found[object_id]
                for object_id in finished:
                    del pending[object_id]
                    await outbox.put((object_id, found.pop(object_id)))
                if wait:
                    log.warning("graph asked to retry part of a batch", wait=round(wait, 2))
                    await self.graph.pause(wait)

        async def publisher() -> None:
            finished = False
            while not finished:
                batch = [await outbox.get()]
                while not outbox.empty() and sum(len(b[1]) for b in batch if b) < PUBLISH_BATCH:
                    batch.append(outbox.get_nowait())
                finished = None in batch
                ready = [b for b in batch if b is not None]
                await self.publisher.publish_encoded(e for _, events in ready for e in events)
                for object_id, events in ready:
                    done[object_id] = until
                    outcome.prompts += len(events)
                    outcome.people += 1
                    if outcome.people % PROGRESS_EVERY == 0:
                        log.info(
                            "interaction history progress", people=outcome.people, of=len(people)
                        )
                if len(done) >= COMMIT_EVERY:
                    await commit()

        async def fetch_all() -> None:
            async with asyncio.TaskGroup() as fetchers:
                for _ in range(max(1, self.concurrency)):
                    fetchers.create_task(fetcher() if batch_size == 1 else batch_fetcher())
            await outbox.put(None)

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(fetch_all())
                group.create_task(publisher())
        except BaseExceptionGroup as failures:
            first: BaseException = failures
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            raise first from None
        finally:
            # People whose events JetStream acknowledged keep their progress, even when the
            # cycle is interrupted.
            await asyncio.shield(commit())
        log.info("interaction history ingested", people=outcome.people, prompts=outcome.prompts)
        return outcome

    def _params(self, since: datetime, until: datetime) -> dict[str, str]:
        return {
            "$top": "100",
            "$filter": f"createdDateTime ge {graph_time(since)} and createdDateTime lt "
            f"{graph_time(until)}",
        }

    async def _person(self, object_id: str, since: datetime, until: datetime) -> list[EncodedEvent]:
        events: list[EncodedEvent] = []
        stamp = datetime.now(UTC).isoformat()
        path = "v1.0/" + HISTORY.format(object_id)
        async for raw in self.graph.pages(path, self._params(since, until)):
            try:
                page = msgspec.convert(raw, HistoryPage)
            except msgspec.ValidationError as exc:
                raise GraphError(UNREADABLE, path, "unreadablePage", str(exc)) from None
            await self._collect(page, object_id, stamp, events)
        return events

    async def _collect(
        self, page: HistoryPage, object_id: str, stamp: str, events: list[EncodedEvent]
    ) -> None:
        """The prompt events of one page, appended to ``events``; bad items dead-lettered."""
        person = pseudonym(object_id, self.key)
        tz = self.tz
        for position, item in enumerate(page.value):
            if item.interaction_type != "userPrompt":
                continue  # answers (half the items) and anything newer: nothing to count
            try:
                event = prompt_event(item, person, tz, stamp)
            except (ValueError, TypeError) as exc:
                await self.publisher.dead_letter(
                    "interaction_history", str(exc), position, {"id": item.id}
                )
                continue
            if event is not None:
                events.append(event)
