"""Copilot interaction history: prompt and response pairs per person, filtered
on ``createdDateTime`` and ``appClass``, paged with ``$top`` and ``@odata.nextLink``.

The prompts follow the same activity model as the usage report, so a person
with interactions on a day in an app is also active on that day in that app.

Everything about a prompt (minute, answer delay, request id, text, session) is a
keyed hash of (seed, person, day, app, n), so any person, window or page can be
produced on its own and always looks the same. Items are rendered straight to
JSON bytes from templates: a 50,000-person backfill reads over a million of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

import numpy as np
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.sandbox.adoption import APPS
from services.sandbox.errors import graph_error
from services.sandbox.graphauth import require, sandbox
from services.sandbox.odata_filter import Window, parse_filter
from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState

router = APIRouter(tags=["graph interactions"])
PREFIX = "IPM.SkypeTeams.Message.Copilot."
APP_CLASSES = {
    "chat": "BizChat",
    "teams": "Teams",
    "word": "Word",
    "excel": "Excel",
    "powerpoint": "PowerPoint",
    "outlook": "Outlook",
    "onenote": "OneNote",
    "loop": "Loop",
}
APP_NAMES = {"chat": "Microsoft 365 Copilot Chat", "teams": "Copilot in Teams"}
PROMPTS = (
    "Vat deze vergadering samen in vijf punten.",
    "What are the key action items from my recent meetings?",
    "Schrijf een eerste versie van een antwoord op deze klacht.",
    "Summarise this document for the management team.",
    "Maak een tabel van de openstaande facturen per klant.",
    "Draft three slides about our Q3 results.",
    "Welke afspraken hebben we gemaakt met het team in Gent?",
    "Rewrite this paragraph in plain language.",
)
BOT_IDS = {app: str(uuid.uuid5(uuid.NAMESPACE_URL, f"copilot:{app}")) for app in APP_CLASSES}
RESPONSE = "Hier is een overzicht van de belangrijkste punten."
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.aiInteraction)"
PATH = re.compile(
    r"^/(?:v1\.0|beta)/copilot/users/([^/]+)/interactionHistory/getAllEnterpriseInteractions$"
)

DAY_MS = 86_400_000
FIRST_PROMPT_MS = (7 * 60 + 30) * 60_000  # 07:30 UTC
WORKING_DAY_MS = 10 * 3_600_000
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Items are Graph's aiInteraction shape (body included, as Graph sends it); every value
# put into the JSON text is plain ASCII without quotes or backslashes.
BODIES = {
    text: orjson.dumps({"contentType": "text", "content": text}).decode()
    for text in (*PROMPTS, RESPONSE)
}
LOCALES = {text: "nl-be" if text[:1] in "VSMW" else "en-us" for text in (*PROMPTS, RESPONSE)}


def _bot(app: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
        "id": BOT_IDS[app],
        "displayName": APP_NAMES.get(app, f"Copilot in {APP_CLASSES[app]}"),
        "applicationIdentityType": "bot",
    }


BOTS = {
    app: orjson.dumps(
        {
            "@odata.type": "#microsoft.graph.chatMessageFromIdentitySet",
            "device": None,
            "user": None,
            "application": _bot(app),
        }
    ).decode()
    for app in APP_CLASSES
}


def _sender(person: Person, tenant_id: str) -> str:
    return orjson.dumps(
        {
            "@odata.type": "#microsoft.graph.chatMessageFromIdentitySet",
            "application": None,
            "device": None,
            "user": {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": person.id,
                "displayName": f"8:orgid:{person.id}",
                "userIdentityType": "aadUser",
                "tenantId": tenant_id,
            },
        }
    ).decode()


class Interaction(NamedTuple):
    millis: int  # UTC milliseconds since 1970; also the item's id and etag (unique per person)
    kind: str
    app: str
    session: str
    request_id: str
    text: str


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _request_id(digest: bytes) -> str:
    """A version-4 UUID from 16 hash bytes."""
    raw = bytearray(digest)
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def interactions(state: SandboxState, person: Person, window: Window) -> list[Interaction]:
    """All interactions of a person inside the window, oldest first."""
    history = state.org.history_start
    first = history if window.after is None else max(history, window.after.date())
    last = state.data_date if window.before is None else min(state.data_date, window.before.date())
    if last < first or not person.licensed:
        return []
    counts = state.prompt_counts.of(person.index, state.data_date)
    counts = counts[(first - history).days : (last - history).days + 1]
    seed = state.settings.seed
    events: list[Interaction] = []
    add = events.append
    days, apps = np.nonzero(counts)
    for d, a, many in zip(days.tolist(), apps.tolist(), counts[days, apps].tolist(), strict=True):
        ordinal = first.toordinal() + d
        app = APPS[a]
        cell = f"{seed}:{person.index}:{ordinal}:{app}".encode()
        session = hashlib.blake2b(cell, digest_size=30, person=b"session").digest()
        thread = "19:" + base64.urlsafe_b64encode(session).decode() + "@thread.v2"
        morning = (ordinal - EPOCH_ORDINAL) * DAY_MS + FIRST_PROMPT_MS
        for n in range(many):
            h = hashlib.blake2b(b"%s:%d" % (cell, n), digest_size=24).digest()
            asked = morning + int.from_bytes(h[:4]) % WORKING_DAY_MS
            answered = asked + 2000 + int.from_bytes(h[4:6]) % 23000
            request_id = _request_id(h[8:24])
            add(
                Interaction(
                    asked, "userPrompt", app, thread, request_id, PROMPTS[h[6] % len(PROMPTS)]
                )
            )
            add(Interaction(answered, "aiResponse", app, thread, request_id, RESPONSE))
    events.sort()
    # bounds in milliseconds: the first and last millisecond admitted
    now = _micros(state.now()) // 1000
    low = -1 if window.after is None else _bound(window.after, window.after_inclusive, True)
    high = (
        now
        if window.before is None
        else min(now, _bound(window.before, window.before_inclusive, False))
    )
    wanted = window.app_class.lower() if window.app_class else None
    kept = []
    previous = -1
    for event in events:
        millis = event[0]
        if millis <= previous:
            millis = previous + 1  # ids are unique per person
            event = event._replace(millis=millis)
        previous = millis
        if low <= millis <= high and (
            wanted is None or (PREFIX + APP_CLASSES[event[2]]).lower() == wanted
        ):
            kept.append(event)
    return kept


def _bound(moment: dt.datetime, inclusive: bool, lower: bool) -> int:
    """The first (``lower``) or last millisecond a filter bound admits."""
    micros = _micros(moment)
    if lower:
        first = -(-micros // 1000)  # ceiling
        return first + 1 if not inclusive and first * 1000 == micros else first
    last = micros // 1000
    return last - 1 if not inclusive and last * 1000 == micros else last


def render(state: SandboxState, person: Person, events: list[Interaction]) -> bytes:
    """Items as JSON, comma-separated (the inside of a page's ``value``)."""
    sender = _sender(person, state.settings.tenant_id)
    days: dict[int, str] = {}
    # what an item holds besides its id, session, request id and time depends only on these
    middles: dict[tuple[str, str], str] = {}
    tails: dict[tuple[str, str, str], str] = {}
    out = []
    for millis, kind, app, session, request_id, text in events:
        day, rest = divmod(millis, DAY_MS)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = dt.date.fromordinal(EPOCH_ORDINAL + day).isoformat()
        seconds, ms = divmod(rest, 1000)
        minutes, second = divmod(seconds, 60)
        middle = middles.get((kind, app))
        if middle is None:
            conversation = "bizchat" if app == "chat" else "appchat"
            middle = middles[kind, app] = (
                f'"appClass":"{PREFIX}{APP_CLASSES[app]}","interactionType":"{kind}",'
                f'"conversationType":"{conversation}",'
            )
        tail = tails.get((kind, app, text))
        if tail is None:
            sent = sender if kind == "userPrompt" else BOTS[app]
            tail = tails[kind, app, text] = (
                f'"locale":"{LOCALES[text]}","contexts":[],"from":{sent},"body":{BODIES[text]},'
                '"attachments":[],"links":[],"mentions":[]}'
            )
        out.append(
            f'{{"id":"{millis}","sessionId":"{session}","requestId":"{request_id}",{middle}'
            f'"etag":"{millis}","createdDateTime":"{prefix}T{minutes // 60:02d}:'
            f'{minutes % 60:02d}:{second:02d}.{ms:03d}Z",{tail}'
        )
    return ",".join(out).encode()


def item(state: SandboxState, person: Person, event: Interaction) -> dict[str, Any]:
    """One interaction as a dict (what the page holds)."""
    result: dict[str, Any] = orjson.loads(render(state, person, [event]))
    return result


def history_page(
    state: SandboxState, user_id: str, params: Mapping[str, str], url: str
) -> tuple[int, dict[str, str], bytes]:
    """One page of a person's history: (status, headers, JSON body); ``url`` is the
    absolute URL of the request without its query, for ``@odata.nextLink``."""
    person = state.org.by_id(user_id)
    if person is None or not person.present_on(state.data_date):
        return _error(404, f"User '{user_id}' was not found.")
    try:
        window = parse_filter(params.get("$filter", ""))
        top = min(int(params.get("$top", "100")), state.settings.interactions_max_top)
        offset = (
            int(json.loads(base64.urlsafe_b64decode(params["$skiptoken"]))["o"])
            if ("$skiptoken" in params)
            else 0
        )
    except (ValueError, KeyError, TypeError) as exc:
        return _error(400, f"Invalid request: {exc}")
    if top < 1:
        return _error(400, "Invalid value for $top.")
    everything = interactions(state, person, window)
    items = render(state, person, everything[offset : offset + top])
    body = b'{"@odata.context":"' + CONTEXT.encode() + b'","value":[' + items + b"]"
    if offset + top < len(everything):
        kept = {k: v for k, v in params.items() if k != "$skiptoken"}
        kept["$skiptoken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + top}).encode()
        ).decode()
        query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in kept.items())
        body += b',"@odata.nextLink":' + orjson.dumps(f"{url}?{query}")
    return 200, {"content-type": "application/json"}, body + b"}"


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    response = graph_error(status, message)
    return status, {"content-type": "application/json"}, bytes(response.body)


@router.get("/v1.0/copilot/users/{user_id}/interactionHistory/getAllEnterpriseInteractions")
@router.get("/beta/copilot/users/{user_id}/interactionHistory/getAllEnterpriseInteractions")
async def all_enterprise_interactions(user_id: str, request: Request) -> Response:
    """A person's Copilot prompts and responses (application permission only)."""
    state = sandbox(request)
    require(request, "AiEnterpriseInteraction.Read.All")
    url = f"{str(request.base_url).rstrip('/')}{request.url.path}"
    status, headers, body = history_page(state, user_id, request.query_params, url)
    return Response(body, status_code=status, headers=headers)
