"""Microsoft Graph JSON batching: many GETs in one ``POST /v1.0/$batch``.

A batch carries up to 20 requests; each is answered on its own (``id``,
``status``, ``headers``, ``body``), in any order. An inner 429 or 5xx is
retried on its own in a later batch, after its ``Retry-After`` or a backoff;
the batch request itself is retried by :class:`GraphClient` like any request.
Collections are paged by putting each ``@odata.nextLink`` in a later batch.

Answers are decoded with msgspec into the caller's body type, so a page of
interaction history costs only the fields ingest reads (not the prompt text,
sender and attachments that make up most of its bytes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import msgspec

from services.ingest.graph import GraphClient, GraphError
from services.ingest.retry import RETRYABLE_STATUS, retry_after_seconds
from shared.logs import get_logger

log = get_logger(__name__)

MAX_BATCH = 20  # Graph's limit on requests per batch
VERSIONS = ("v1.0", "beta")
T = TypeVar("T")


class InnerResponse(msgspec.Struct, Generic[T]):
    id: str
    status: int
    headers: dict[str, Any] = {}
    body: T | str | None = None  # a string: base64 of a body that is not JSON


class BatchResponse(msgspec.Struct, Generic[T]):
    responses: list[InnerResponse[T]] = []


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(body_type: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(body_type)
    if decoder is None:
        decoder = _decoders[body_type] = msgspec.json.Decoder(BatchResponse[body_type])
    return decoder


def relative_url(path: str, params: Mapping[str, str] | None = None) -> str:
    """An inner request's ``url``: relative to the version, query percent-encoded."""
    if not params:
        return path
    return f"{path}?{urlencode(params, quote_via=quote, safe=':$')}"


def split_version(link: str) -> tuple[str, str]:
    """(version, url relative to it) of an absolute Graph link such as an ``@odata.nextLink``."""
    parts = urlsplit(link)
    segments = parts.path.lstrip("/").split("/")
    # the version is the first segment Graph knows; a proxy may put a prefix before it
    for index, segment in enumerate(segments):
        if segment in VERSIONS:
            rest = "/".join(segments[index + 1 :])
            return segment, f"{rest}?{parts.query}" if parts.query else rest
    raise GraphError(502, link.split("?")[0], "nextLink", "no Graph version in the link")


@dataclass
class Answer(Generic[T]):
    """One inner response; ``body`` is ``None`` when it was missing or unreadable."""

    status: int
    headers: Mapping[str, Any]
    body: T | None

    def error(self, url: str) -> GraphError:
        body: Any = self.body
        detail = body.get("error") if isinstance(body, dict) else getattr(body, "error", None)
        detail = detail if isinstance(detail, dict) else {}
        return GraphError(
            self.status,
            url.split("?")[0],
            str(detail.get("code", "")),
            str(detail.get("message", "")),
        )

    @property
    def retry_after(self) -> float | None:
        for name, value in self.headers.items():
            if name.lower() == "retry-after":
                return retry_after_seconds(str(value))
        return None


UNREADABLE = 502  # an inner answer that could not be read counts as a bad gateway: retried


async def send_batch(
    graph: GraphClient, version: str, requests: Mapping[str, str], body_type: type[T]
) -> dict[str, Answer[T]]:
    """GET each url (relative to ``version``) of ``requests`` (id -> url) in one batch.

    Every id gets an answer: one Graph left out, or whose body is not a
    ``body_type``, counts as a 502 (retried like any server error).
    """
    if not 0 < len(requests) <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} requests, not {len(requests)}")
    payload = {
        "requests": [{"id": key, "method": "GET", "url": url} for key, url in requests.items()]
    }
    raw = await graph.post(f"{version}/$batch", payload)
    answers: dict[str, Answer[T]] = {}
    try:
        decoded: BatchResponse[Any] = _decoder(body_type).decode(raw)
        for inner in decoded.responses:
            if inner.id in requests:
                body = None if isinstance(inner.body, str) else inner.body
                answers[inner.id] = Answer(inner.status, inner.headers, body)
    except msgspec.ValidationError:
        # something in it is not shaped as expected: read the answers one by one
        try:
            loose: BatchResponse[Any] = _decoder(Any).decode(raw)
        except msgspec.ValidationError as exc:
            raise GraphError(UNREADABLE, f"{version}/$batch", "unreadableBatch", str(exc)) from None
        for inner in loose.responses:
            if inner.id in requests:
                answers[inner.id] = _convert(inner, body_type)
    except msgspec.DecodeError as exc:
        raise GraphError(UNREADABLE, f"{version}/$batch", "unreadableBatch", str(exc)) from None
    for key in requests:
        if key not in answers:
            answers[key] = Answer(UNREADABLE, {}, None)
    return answers


def _convert(inner: InnerResponse[Any], body_type: type[T]) -> Answer[T]:
    if inner.status >= 300:
        return Answer(inner.status, inner.headers, inner.body)
    try:
        return Answer(inner.status, inner.headers, msgspec.convert(inner.body, body_type))
    except msgspec.ValidationError as exc:
        log.warning("unreadable answer in a Graph batch", error=str(exc))
        return Answer(UNREADABLE, {}, None)


@dataclass
class Pending:
    """A collection being read through batches: the next page's url and retry count."""

    key: str
    version: str
    url: str
    attempts: int = 0


def follow(item: Pending, next_link: Any) -> bool:
    """After a page: ``True`` when another follows (``item.url`` moved to ``next_link``)."""
    if not next_link:
        return False
    item.version, item.url = split_version(str(next_link))
    item.attempts = 0
    return True


def retry_wait(item: Pending, answer: Answer[Any], graph: GraphClient) -> float | None:
    """Seconds to wait before retrying this inner request, or ``None`` to give up."""
    if answer.status not in RETRYABLE_STATUS:
        return None
    item.attempts += 1
    if item.attempts >= graph.backoff.attempts:
        return None
    hinted = answer.retry_after
    return hinted if hinted is not None else graph.backoff.delay(item.attempts)
