"""Copilot interaction history: prompt and response pairs per person, filtered
on ``createdDateTime`` and ``appClass``, paged with ``$top`` and ``@odata.nextLink``.

The prompts follow the same activity model as the usage report, so a person
with interactions on a day in an app is also active on that day in that app.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import uuid
from typing import Any, NamedTuple
from urllib.parse import quote

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.sandbox.adoption import APPS
from services.sandbox.errors import FastJSONResponse, graph_error
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


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bot(app: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
        "id": BOT_IDS[app],
        "displayName": APP_NAMES.get(app, f"Copilot in {APP_CLASSES[app]}"),
        "applicationIdentityType": "bot",
    }


def item(state: SandboxState, person: Person, event: Interaction) -> dict[str, Any]:
    """An interaction in Graph's aiInteraction shape (body included, as Graph sends it)."""
    moment, kind, app, session, request_id, text = event
    millis = str(int(moment.timestamp() * 1000))
    if kind == "userPrompt":
        sender: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.chatMessageFromIdentitySet",
            "application": None,
            "device": None,
            "user": {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": person.id,
                "displayName": f"8:orgid:{person.id}",
                "userIdentityType": "aadUser",
                "tenantId": state.settings.tenant_id,
            },
        }
    else:
        sender = {
            "@odata.type": "#microsoft.graph.chatMessageFromIdentitySet",
            "device": None,
            "user": None,
            "application": _bot(app),
        }
    return {
        "id": millis,
        "sessionId": session,
        "requestId": request_id,
        "appClass": PREFIX + APP_CLASSES[app],
        "interactionType": kind,
        "conversationType": "bizchat" if app == "chat" else "appchat",
        "etag": millis,
        "createdDateTime": _iso(moment),
        "locale": "nl-be" if text[:1] in "VSMW" else "en-us",
        "contexts": [],
        "from": sender,
        "body": {"contentType": "text", "content": text},
        "attachments": [],
        "links": [],
        "mentions": [],
    }


class Interaction(NamedTuple):
    moment: dt.datetime
    kind: str
    app: str
    session: str
    request_id: str
    text: str


def interactions(state: SandboxState, person: Person, window: Window) -> list[Interaction]:
    """All interactions of a person inside the window, oldest first."""
    first = state.org.history_start
    if window.after:
        first = max(first, window.after.date())
    last = state.data_date
    if window.before:
        last = min(last, window.before.date())
    if last < first or not person.licensed:
        return []
    now = state.now()
    people = np.array([person.index], dtype=np.int64)
    block = state.model.block(people, first, (last - first).days + 1)
    counts = state.model.prompt_counts(block, people)[0]
    events: list[Interaction] = []
    for d, a in zip(*np.nonzero(counts), strict=True):
        day = first + dt.timedelta(days=int(d))
        app = APPS[int(a)]
        rng = random.Random(f"{state.settings.seed}:{person.index}:{day.toordinal()}:{app}")
        session = "19:" + base64.urlsafe_b64encode(rng.randbytes(30)).decode() + "@thread.v2"
        start = dt.datetime.combine(day, dt.time(7, 30), dt.UTC)
        for offset in sorted(rng.uniform(0, 10 * 3600) for _ in range(int(counts[d, a]))):
            asked = start + dt.timedelta(milliseconds=int(offset * 1000))
            answered = asked + dt.timedelta(milliseconds=rng.randrange(2000, 25000))
            request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            prompt = rng.choice(PROMPTS)
            events.append(Interaction(asked, "userPrompt", app, session, request_id, prompt))
            events.append(Interaction(answered, "aiResponse", app, session, request_id, RESPONSE))
    events.sort()
    kept = []
    previous: dt.datetime | None = None
    for event in events:
        moment = event.moment
        if previous is not None and moment <= previous:
            moment = previous + dt.timedelta(milliseconds=1)  # ids are unique per person
            event = event._replace(moment=moment)
        previous = moment
        if moment <= now and window.admits(moment, PREFIX + APP_CLASSES[event.app]):
            kept.append(event)
    return kept


@router.get("/v1.0/copilot/users/{user_id}/interactionHistory/getAllEnterpriseInteractions")
@router.get("/beta/copilot/users/{user_id}/interactionHistory/getAllEnterpriseInteractions")
async def all_enterprise_interactions(user_id: str, request: Request) -> Response:
    """A person's Copilot prompts and responses (application permission only)."""
    state = sandbox(request)
    require(request, "AiEnterpriseInteraction.Read.All")
    person = state.org.by_id(user_id)
    if person is None or not person.present_on(state.data_date):
        return graph_error(404, f"User '{user_id}' was not found.")
    params = request.query_params
    try:
        window = parse_filter(params.get("$filter", ""))
        top = min(int(params.get("$top", "100")), state.settings.interactions_max_top)
        offset = (
            int(json.loads(base64.urlsafe_b64decode(params["$skiptoken"]))["o"])
            if ("$skiptoken" in params)
            else 0
        )
    except (ValueError, KeyError, TypeError) as exc:
        return graph_error(400, f"Invalid request: {exc}")
    if top < 1:
        return graph_error(400, "Invalid value for $top.")
    everything = interactions(state, person, window)
    body: dict[str, Any] = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.aiInteraction)",
        "value": [item(state, person, event) for event in everything[offset : offset + top]],
    }
    if offset + top < len(everything):
        kept = {k: v for k, v in params.items() if k != "$skiptoken"}
        kept["$skiptoken"] = base64.urlsafe_b64encode(
            json.dumps({"o": offset + top}).encode()
        ).decode()
        query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in kept.items())
        body["@odata.nextLink"] = f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"
    return FastJSONResponse(body)
