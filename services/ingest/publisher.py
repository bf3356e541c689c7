"""Publishing ingest's facts to JetStream, and rows it could not read to the dead letters.

Facts travel in CloudEvents JSON batch messages (:func:`shared.bus.batched`: up to
``batch_events`` consecutive events of one subject per message, id ``batch-<sha>`` of
the ids it holds), which costs JetStream and the consumer a fraction of one message
per event. Counts stay in events. Dead letters go one message per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.bus import BATCH_EVENTS, MSG_ID_HEADER, EncodedEvent, batched, publish_pipelined
from shared.events import CloudEvent, Payload
from shared.ids import event_id
from shared.logs import get_logger
from shared.subjects import dead_letter

log = get_logger(__name__)

SOURCE = "uptake/ingest"
DEAD_LETTERS = dead_letter("SIGNALS")
# Personal fields never travel to the dead letters; the position and reason suffice.
HIDDEN_FIELDS = frozenset({"userprincipalname", "displayname", "body"})


class Publisher:
    def __init__(
        self, nc: Client, *, in_flight: int = 4000, batch_events: int = BATCH_EVENTS
    ) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.in_flight = in_flight
        self.batch_events = batch_events  # events per message; 1 publishes one by one
        self.published = 0
        self.duplicates = 0
        self.dead_letters = 0

    async def publish(self, payloads: Iterable[Payload]) -> tuple[int, int]:
        """Publish and wait until JetStream acknowledged every event; (new, duplicates)."""
        now = datetime.now(UTC)
        wrapped = (CloudEvent.wrap(p, source=SOURCE, time=now) for p in payloads)
        return await self.publish_encoded(
            EncodedEvent(e.data.nats_subject(), e.id, e.type, e.to_bytes()) for e in wrapped
        )

    async def publish_encoded(self, events: Iterable[EncodedEvent]) -> tuple[int, int]:
        """:meth:`publish` for events serialised by :mod:`services.ingest.encoding`."""
        if self.batch_events > 1:
            # ``in_flight`` counts events: as many unacknowledged events as before batching
            messages = batched(events, max_events=self.batch_events)
            in_flight = max(4, self.in_flight // self.batch_events)
        else:
            messages, in_flight = iter(events), self.in_flight
        new, duplicates = await publish_pipelined(self.nc, messages, in_flight=in_flight)
        self.published += new
        self.duplicates += duplicates
        return new, duplicates

    async def dead_letter(
        self, origin: str, reason: str, position: int, fields: Mapping[str, Any]
    ) -> None:
        kept = {k: v for k, v in fields.items() if k.lower() not in HIDDEN_FIELDS}
        body = orjson.dumps(
            {"origin": origin, "reason": reason, "position": position, "fields": kept},
            default=str,
        )
        msg_id = event_id("dlq.signals", origin, position, reason, body)
        await self.js.publish(
            DEAD_LETTERS,
            body,
            headers={MSG_ID_HEADER: msg_id, "Uptake-Reason": reason, "Uptake-Origin": origin},
        )
        self.dead_letters += 1
        log.warning("row dead-lettered", origin=origin, position=position, reason=reason)
