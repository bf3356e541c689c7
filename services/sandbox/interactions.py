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
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.sandbox.adoption import APPS
from services.sandbox.errors import graph_error
from services.sandbox.graphauth import require, sandbox
from services.sandbox.odata_filter import Window, parse_filter
from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState
from services.sandbox.timelines import DAY_MS, EPOCH_ORDINAL, Timeline, timelines

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


KINDS = ("userPrompt", "aiResponse")
CLASSES = [PREFIX + APP_CLASSES[app] for app in APPS]


def interactions(state: SandboxState, person: Person, window: Window) -> list[Interaction]:
    """All interactions of a person inside the window, oldest first."""
    [line] = timelines(state, [(person, window)], CLASSES)
    return [
        Interaction(
            line.millis[k],
            KINDS[line.kinds[k]],
            APPS[line.apps[line.cells[k]]],
            line.sessions[line.cells[k]],
            line.request_ids[line.prompts[k]],
            RESPONSE if line.kinds[k] else PROMPTS[line.texts[line.prompts[k]]],
        )
        for k in range(len(line))
    ]


# "HH:MM:SS" for every second of a day and ".mmmZ" for every millisecond: an item's time
# is two lookups
CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]
MILLIS = [f".{ms:03d}Z" for ms in range(1000)]


def render(state: SandboxState, person: Person, line: Timeline, start: int, stop: int) -> bytes:
    """Items ``start:stop`` of a timeline as JSON, comma-separated (a page's ``value``)."""
    sender = _sender(person, state.settings.tenant_id)
    days: dict[int, str] = {}
    # what an item holds besides its id, session, request id and time depends only on
    # (kind, app, text): the part before "etag" and the part after "createdDateTime"
    parts: dict[tuple[int, int, int], tuple[str, str]] = {}
    sessions, request_ids, apps, texts = line.sessions, line.request_ids, line.apps, line.texts
    out = []
    for millis, kind, cell, prompt in zip(
        line.millis[start:stop],
        line.kinds[start:stop],
        line.cells[start:stop],
        line.prompts[start:stop],
        strict=True,
    ):
        day, rest = divmod(millis, DAY_MS)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = dt.date.fromordinal(EPOCH_ORDINAL + day).isoformat() + "T"
        app = apps[cell]
        text = -1 if kind else texts[prompt]
        both = parts.get((kind, app, text))
        if both is None:
            said = RESPONSE if kind else PROMPTS[text]
            sent = BOTS[APPS[app]] if kind else sender
            conversation = "bizchat" if APPS[app] == "chat" else "appchat"
            both = parts[kind, app, text] = (
                f'"appClass":"{CLASSES[app]}","interactionType":"{KINDS[kind]}",'
                f'"conversationType":"{conversation}","etag":"',
                f'","locale":"{LOCALES[said]}","contexts":[],"from":{sent},'
                f'"body":{BODIES[said]},"attachments":[],"links":[],"mentions":[]}}',
            )
        seconds, ms = divmod(rest, 1000)
        ident = str(millis)
        out.append(
            f'{{"id":"{ident}","sessionId":"{sessions[cell]}","requestId":"{request_ids[prompt]}",'
            f'{both[0]}{ident}","createdDateTime":"{prefix}{CLOCK[seconds]}{MILLIS[ms]}{both[1]}'
        )
    return ",".join(out).encode()


def item(state: SandboxState, person: Person, event: Interaction) -> dict[str, Any]:
    """One interaction as the page holds it."""
    line = Timeline(
        [event.millis],
        [KINDS.index(event.kind)],
        [0],
        [0],
        [APPS.index(event.app)],
        [event.session],
        [event.request_id],
        [PROMPTS.index(event.text) if event.kind == KINDS[0] else 0],
    )
    result: dict[str, Any] = orjson.loads(render(state, person, line, 0, 1))
    return result


Answer = tuple[int, dict[str, str], bytes]


def history_pages(
    state: SandboxState, asks: list[tuple[str, Mapping[str, str], str]]
) -> list[Answer]:
    """Pages of interaction history, one per (user id, query parameters, url), computed
    together: (status, headers, JSON body). ``url`` is the absolute URL of the request
    without its query, for ``@odata.nextLink``."""
    answers: list[Answer | None] = [None] * len(asks)
    valid: list[tuple[int, Person, Window, int, int]] = []
    for index, (user_id, params, _) in enumerate(asks):
        person = state.org.by_id(user_id)
        if person is None or not person.present_on(state.data_date):
            answers[index] = _error(404, f"User '{user_id}' was not found.")
            continue
        try:
            window = parse_filter(params.get("$filter", ""))
            top = min(int(params.get("$top", "100")), state.settings.interactions_max_top)
            offset = (
                int(json.loads(base64.urlsafe_b64decode(params["$skiptoken"]))["o"])
                if ("$skiptoken" in params)
                else 0
            )
        except (ValueError, KeyError, TypeError) as exc:
            answers[index] = _error(400, f"Invalid request: {exc}")
            continue
        if top < 1:
            answers[index] = _error(400, "Invalid value for $top.")
            continue
        valid.append((index, person, window, top, offset))
    lines = timelines(state, [(person, window) for _, person, window, _, _ in valid], CLASSES)
    for (index, person, _, top, offset), line in zip(valid, lines, strict=True):
        items = render(state, person, line, offset, offset + top)
        body = b'{"@odata.context":"' + CONTEXT.encode() + b'","value":[' + items + b"]"
        if offset + top < len(line):
            _, params, url = asks[index]
            kept = {k: v for k, v in params.items() if k != "$skiptoken"}
            kept["$skiptoken"] = base64.urlsafe_b64encode(
                json.dumps({"o": offset + top}).encode()
            ).decode()
            query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in kept.items())
            body += b',"@odata.nextLink":' + orjson.dumps(f"{url}?{query}")
        answers[index] = (200, {"content-type": "application/json"}, body + b"}")
    return [answer for answer in answers if answer is not None]


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
    [(status, headers, body)] = history_pages(state, [(user_id, request.query_params, url)])
    return Response(body, status_code=status, headers=headers)
