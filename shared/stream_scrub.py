"""Taking erased people's events out of the JetStream streams.

Messages name people by key (a pseudonym ``p-...`` or a report identity ``r-...``,
see :mod:`shared.suppression`) in their body: one CloudEvent, or a CloudEvents JSON
batch of many people's events. A message that names an erased key is deleted;
JetStream's delete overwrites the message in its store, so it cannot be read back
from the files either. When the message is a batch that also holds other people's
events, those are published again first, in a message of their own, so nobody else
loses a fact.

COMMUNITY holds the gateway's announcements, one event per message, each naming people
by pseudonym: a kudos its ``giver`` and ``receiver``, a story its ``author`` (only when
they chose to be named), a tip its ``sent_by``, a champion event its ``host``, a
champion change its ``person``. Such a message is deleted whole, never published again
(:data:`WHOLE_MESSAGE_STREAMS`): the gateway's tables are the record, and scoring may
not publish there.

A message published again carries :data:`REWRITTEN_HEADER`. Its events keep their
ids, so scoring and notify take them as the repeats they are; the gateway does not
celebrate them on screens a second time. Scrubbing the same stream twice, or after
an interruption anywhere, gives the same result: the rewritten batch of the same
events gets the same ``Nats-Msg-Id``, which JetStream's duplicate window drops, and
consumers drop repeated events by id beyond it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

MSG_ID = "Nats-Msg-Id"
REWRITTEN_HEADER = "Uptake-Rewritten"
# Streams that can carry a person's key; CONTROL holds rule sets, the KV buckets status.
PERSONAL_STREAMS = ("SIGNALS", "AWARDS", "COMMUNITY", "DLQ")
# Streams of announcements: a message naming an erased person goes whole.
WHOLE_MESSAGE_STREAMS = frozenset({"COMMUNITY"})
KEY = re.compile(rb"(?<![0-9A-Za-z_-])[pr]-[0-9a-f]{24}(?![0-9A-Za-z])")
GETS_IN_FLIGHT = 64


def keys_in(data: bytes) -> set[str]:
    """Every person key (``p-...``, ``r-...``) the bytes hold."""
    return {match.decode() for match in KEY.findall(data)}


@dataclass(frozen=True)
class Verdict:
    """What becomes of one message: kept, deleted, or published again with ``body``."""

    action: Literal["keep", "delete", "rewrite"]
    body: bytes = b""
    ids: tuple[str, ...] = ()  # the event ids the rewritten body holds
    dropped: int = 0  # events taken out


KEEP = Verdict("keep")


def judge(headers: Mapping[str, str] | None, data: bytes, erased: Collection[str]) -> Verdict:
    """The verdict on a message (its headers and body) given the erased keys."""
    named = keys_in(data) & set(erased)
    header_text = " ".join(f"{k}: {v}" for k, v in (headers or {}).items()).encode()
    if keys_in(header_text) & set(erased):
        return Verdict("delete", dropped=max(1, len(named)))
    if not named:
        return KEEP
    try:
        items = orjson.loads(data)
    except orjson.JSONDecodeError:
        return Verdict("delete", dropped=1)
    if not isinstance(items, list):
        return Verdict("delete", dropped=1)
    bodies = [orjson.dumps(item) for item in items]
    kept = [
        (item, body) for item, body in zip(items, bodies, strict=True) if not keys_in(body) & named
    ]
    if not kept:
        return Verdict("delete", dropped=len(items))
    ids = tuple(str(item.get("id")) if isinstance(item, dict) else "" for item, _ in kept)
    return Verdict(
        "rewrite",
        body=b"[" + b",".join(body for _, body in kept) + b"]",
        ids=ids,
        dropped=len(items) - len(kept),
    )


def rewritten_headers(headers: Mapping[str, str] | None, verdict: Verdict) -> dict[str, str]:
    """The original headers with a message id of the events kept (as
    :func:`shared.bus.batched` makes one) and the rewrite marker."""
    out = {k: v for k, v in (headers or {}).items() if k != MSG_ID and not k.startswith("Nats-")}
    if all(verdict.ids):
        digest = hashlib.sha256(b"".join(i.encode() + b"\n" for i in verdict.ids))
        out[MSG_ID] = f"batch-{digest.hexdigest()[:32]}"
    else:
        out[MSG_ID] = f"rewritten-{hashlib.sha256(verdict.body).hexdigest()[:32]}"
    out[REWRITTEN_HEADER] = "erasure"
    return out


async def scrub_message(
    js: JetStreamContext,
    stream: str,
    seq: int,
    subject: str,
    headers: Mapping[str, str] | None,
    data: bytes,
    erased: Collection[str],
) -> Verdict:
    """Apply the verdict on one stored message: the others' events published again
    (and acknowledged) before the message is deleted."""
    verdict = judge(headers, data, erased)
    if verdict.action == "keep":
        return verdict
    if verdict.action == "rewrite" and stream in WHOLE_MESSAGE_STREAMS:
        verdict = Verdict("delete", dropped=verdict.dropped)
    if verdict.action == "rewrite":
        await js.publish(
            subject, verdict.body, headers=rewritten_headers(headers, verdict), stream=stream
        )
    with contextlib.suppress(NotFoundError):  # deleted meanwhile: another scrub, the limits
        await js.delete_msg(stream, seq)
    return verdict


@dataclass
class Scrubbed:
    messages: int = 0  # read
    deleted: int = 0  # messages deleted outright
    rewritten: int = 0  # messages deleted after their others' events were published again
    events: int = 0  # erased people's events taken out

    def add(self, verdict: Verdict) -> None:
        self.deleted += verdict.action == "delete"
        self.rewritten += verdict.action == "rewrite"
        self.events += verdict.dropped

    def as_counts(self) -> dict[str, int]:
        return {
            "stream_messages_deleted": self.deleted,
            "stream_messages_rewritten": self.rewritten,
            "stream_events_removed": self.events,
        }


async def _get(js: JetStreamContext, stream: str, seq: int) -> Any:
    try:
        return await js.get_msg(stream, seq)
    except NotFoundError:
        return None  # deleted


async def scrub_streams(
    js: JetStreamContext, erased: Collection[str], streams: Iterable[str] = PERSONAL_STREAMS
) -> Scrubbed:
    """Every message stored so far in ``streams``, scrubbed of the ``erased`` keys.

    Messages are read one by one by sequence (``STREAM.MSG.GET``, a few dozen in
    flight): no consumer is created, so scrubs may run side by side. Messages that
    arrive during the scan are left to the consumers, which check the list too.
    """
    done = Scrubbed()
    if not erased:
        return done
    for stream in streams:
        try:
            state = (await js.stream_info(stream)).state
        except NotFoundError:
            continue
        if not state.messages:
            continue
        for start in range(state.first_seq, state.last_seq + 1, GETS_IN_FLIGHT):
            end = min(start + GETS_IN_FLIGHT, state.last_seq + 1)
            found = await asyncio.gather(*(_get(js, stream, seq) for seq in range(start, end)))
            for msg in found:
                if msg is None or msg.seq is None:
                    continue
                done.messages += 1
                verdict = await scrub_message(
                    js, stream, msg.seq, msg.subject or "", msg.headers, msg.data or b"", erased
                )
                done.add(verdict)
    return done
