"""Teams Workflows webhooks and Viva Engage, as the sandbox tenant plays them.

Both endpoints check the request shapes the real services expect, record what
they accept, and answer with scripted faults on demand (``429`` with
``Retry-After``, ``5xx``, Engage's ``401 Token not found``, or a stall that
holds a request until released). ``GET /sandbox/posts`` renders the recorded
cards the way Teams would, roughly, without any external script.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
from collections import deque
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

router = APIRouter(tags=["messaging"])

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MAX_TEAMS_BYTES = 28 * 1024
MAX_CARD_VERSION = (1, 5)
TOKEN_NOT_FOUND = {"response": {"message": "Token not found.", "code": 16}}
Target = Literal["teams", "engage"]


class Fault(BaseModel):
    target: Target
    status: int = 503
    retry_after: float | None = None
    count: int = 1
    stall: bool = False  # hold the request until released; record it only if the client waited


class Post(BaseModel):
    seq: int
    target: Target
    channel: str
    received_at: datetime
    card: dict[str, Any] | None = None
    envelope: dict[str, Any] | None = None  # the whole Workflows request body, as received
    message: dict[str, Any] | None = None


class Attempt(BaseModel):
    target: Target
    channel: str
    at: datetime
    status: int


class Recorder:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.posts: list[Post] = []
        self.attempts: list[Attempt] = []
        self.faults: dict[str, deque[Fault]] = {"teams": deque(), "engage": deque()}
        self.release = asyncio.Event()
        self.stalled = 0

    def next_fault(self, target: Target) -> Fault | None:
        queue = self.faults[target]
        if not queue:
            return None
        fault = queue[0]
        fault.count -= 1
        if fault.count <= 0:
            queue.popleft()
        return fault

    def attempt(self, target: Target, channel: str, status: int) -> None:
        self.attempts.append(Attempt(target=target, channel=channel, at=_now(), status=status))

    def record(self, target: Target, channel: str, **content: Any) -> Post:
        post = Post(
            seq=len(self.posts) + 1, target=target, channel=channel, received_at=_now(), **content
        )
        self.posts.append(post)
        return post


recorder = Recorder()


def _now() -> datetime:
    return datetime.now(UTC)


async def _apply_fault(
    request: Request, target: Target, channel: str
) -> tuple[Response | None, bool]:
    """A scripted answer if one is queued; the flag says the client went away during a stall."""
    fault = recorder.next_fault(target)
    if fault is None:
        return None, False
    if fault.stall:
        recorder.stalled += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(recorder.release.wait(), timeout=60)
        recorder.stalled -= 1
        return None, await request.is_disconnected()
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    recorder.attempt(target, channel, fault.status)
    if target == "engage" and fault.status == 401:
        return JSONResponse(TOKEN_NOT_FOUND, status_code=401), False
    body = {"error": {"code": "SandboxFault", "message": f"scripted {fault.status}"}}
    return JSONResponse(body, status_code=fault.status, headers=headers), False


def _version(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d+\.\d+", value):
        return None
    return tuple(int(part) for part in value.split("."))


def check_envelope(payload: Any) -> str | None:
    """What is wrong with a Workflows message, or ``None`` when Teams would take it."""
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return 'the body must be {"type": "message", "attachments": [...]}'
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "attachments must be a non-empty list"
    for attachment in attachments:
        if attachment.get("contentType") != ADAPTIVE:
            return f"contentType must be {ADAPTIVE}"
        if attachment.get("contentUrl") is not None:
            return "contentUrl must be null"
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
            return "content must be an AdaptiveCard"
        version = _version(card.get("version"))
        if version is None or version > MAX_CARD_VERSION:
            return f"card version {card.get('version')!r} is not supported (1.5 at most)"
        if not isinstance(card.get("body", []), list):
            return "card body must be a list"
    return None


@router.post("/workflows/{flow}/triggers/manual/paths/invoke", status_code=202)
async def teams_workflow(flow: str, request: Request) -> Response:
    """A Teams Workflows "post to a channel when a webhook request is received" trigger."""
    if not request.query_params.get("sig"):
        return JSONResponse({"error": {"code": "DirectApiAuthorizationRequired"}}, status_code=401)
    raw = await request.body()
    if len(raw) > MAX_TEAMS_BYTES:
        recorder.attempt("teams", flow, 413)
        return JSONResponse({"error": {"code": "MessageTooLarge"}}, status_code=413)
    try:
        payload = json.loads(raw)
    except ValueError:
        recorder.attempt("teams", flow, 400)
        return JSONResponse({"error": {"code": "InvalidJson"}}, status_code=400)
    if problem := check_envelope(payload):
        recorder.attempt("teams", flow, 400)
        return JSONResponse({"error": {"code": "InvalidMessage", "message": problem}}, 400)
    scripted, gone = await _apply_fault(request, "teams", flow)
    if scripted is not None:
        return scripted
    if gone:  # the sender died mid-request: like Teams, nothing was posted
        recorder.attempt("teams", flow, 499)
        return Response(status_code=499)
    recorder.attempt("teams", flow, 202)
    for attachment in payload["attachments"]:
        recorder.record("teams", flow, card=attachment["content"], envelope=payload)
    return Response(status_code=202)


@router.post("/engage/api/v1/messages.json", status_code=201)
async def engage_message(request: Request) -> Response:
    """Viva Engage (Yammer REST v1): post a message to a community as the signed-in user."""
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return JSONResponse(TOKEN_NOT_FOUND, status_code=401)
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return JSONResponse({"error": "form-encoded body expected"}, status_code=415)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
    group = form.get("group_id", "")
    if not form.get("body") or not group.isdigit():
        recorder.attempt("engage", group, 400)
        return JSONResponse({"error": "body and a numeric group_id are required"}, status_code=400)
    scripted, gone = await _apply_fault(request, "engage", group)
    if scripted is not None:
        return scripted
    if gone:
        recorder.attempt("engage", group, 499)
        return Response(status_code=499)
    recorder.attempt("engage", group, 201)
    topics = [form[f"topic{n}"] for n in range(1, 21) if form.get(f"topic{n}")]
    post = recorder.record("engage", group, message={"body": form["body"], "topics": topics})
    message = {"id": post.seq, "group_id": group, "body": {"plain": form["body"]}}
    return JSONResponse({"messages": [message]}, status_code=201)


@router.post("/sandbox/messaging/faults", status_code=204)
async def add_fault(fault: Fault) -> Response:
    """Queue a scripted answer for the next request(s) to Teams or Engage."""
    recorder.faults[fault.target].append(fault)
    if fault.stall:
        recorder.release.clear()
    return Response(status_code=204)


@router.post("/sandbox/messaging/release", status_code=204)
async def release_stalled() -> Response:
    """Let stalled requests go on."""
    recorder.release.set()
    return Response(status_code=204)


@router.get("/sandbox/messaging/state")
async def messaging_state() -> dict[str, Any]:
    """Queued faults, stalled requests and every attempt with its answer."""
    return {
        "stalled": recorder.stalled,
        "faults": {k: [f.model_dump() for f in v] for k, v in recorder.faults.items()},
        "attempts": [a.model_dump(mode="json") for a in recorder.attempts],
    }


@router.delete("/sandbox/posts", status_code=204)
async def clear_posts() -> Response:
    """Forget every recorded post, attempt and fault."""
    recorder.reset()
    return Response(status_code=204)


@router.get("/sandbox/posts.json")
async def list_posts() -> list[dict[str, Any]]:
    """The recorded Teams cards and Engage messages, oldest first."""
    return [p.model_dump(mode="json") for p in recorder.posts]


@router.get("/sandbox/posts", response_class=HTMLResponse)
async def posts_page() -> HTMLResponse:
    """The recorded posts, newest first, rendered like a channel would show them."""
    items = [_render_post(p) for p in reversed(recorder.posts)]
    empty = "<p class='empty'>No posts yet.</p>"
    return HTMLResponse(PAGE.format(count=len(items), posts="\n".join(items) or empty))


def _render_post(post: Post) -> str:
    where = "Teams" if post.target == "teams" else "Viva Engage"
    head = (
        f"<div class='meta'>#{post.seq} · {where} · {html.escape(post.channel)} · "
        f"{post.received_at:%Y-%m-%d %H:%M:%S} UTC</div>"
    )
    if post.card is not None:
        return f"<article class='card'>{head}{render_card(post.card)}</article>"
    message = post.message or {}
    topics = " ".join(f"<span class='topic'>#{html.escape(t)}</span>" for t in message["topics"])
    text = html.escape(message.get("body", "")).replace("\n", "<br>")
    return f"<article class='card engage'>{head}<p>{text}</p>{topics}</article>"


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    escaped = re.sub(r"\[(.+?)\]\((https?://[^)\s]+)\)", r"<a href='\2'>\1</a>", escaped)
    return escaped.replace("\n", "<br>")


def render_card(card: dict[str, Any]) -> str:
    """A small renderer for the Adaptive Card elements Uptake uses."""
    body = "".join(render_element(e) for e in card.get("body", []))
    actions = "".join(render_action(a) for a in card.get("actions", []))
    version = html.escape(str(card.get("version", "?")))
    tail = f"<div class='actions'>{actions}</div>" if actions else ""
    return f"<div class='ac' data-version='{version}'>{body}{tail}</div>"


def render_element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "TextBlock":
        classes = [
            f"size-{str(element.get('size', 'default')).lower()}",
            f"weight-{str(element.get('weight', 'default')).lower()}",
        ]
        if element.get("isSubtle"):
            classes.append("subtle")
        return f"<p class='{' '.join(classes)}'>{_inline(str(element.get('text', '')))}</p>"
    if kind == "FactSet":
        rows = "".join(
            f"<tr><th>{_inline(str(f.get('title', '')))}</th>"
            f"<td>{_inline(str(f.get('value', '')))}</td></tr>"
            for f in element.get("facts", [])
        )
        return f"<table class='facts'>{rows}</table>"
    if kind == "Container":
        return f"<div class='container'>{''.join(map(render_element, element['items']))}</div>"
    if kind == "ColumnSet":
        columns = "".join(
            f"<div class='column'>{''.join(map(render_element, c.get('items', [])))}</div>"
            for c in element.get("columns", [])
        )
        return f"<div class='columns'>{columns}</div>"
    if kind == "Image":
        url = str(element.get("url", ""))
        alt = html.escape(str(element.get("altText", "")))
        if url.startswith(("https://", "data:image/")):
            return f"<img src='{html.escape(url)}' alt='{alt}'>"
        return f"<span class='subtle'>[image: {alt}]</span>"
    if kind == "ActionSet":
        return f"<div class='actions'>{''.join(map(render_action, element['actions']))}</div>"
    return f"<p class='subtle'>[{html.escape(str(kind))} is not rendered here]</p>"


def render_action(action: dict[str, Any]) -> str:
    title = html.escape(str(action.get("title", "")))
    if action.get("type") == "Action.OpenUrl":
        return f"<a class='button' href='{html.escape(str(action.get('url', '')))}'>{title}</a>"
    return f"<span class='button'>{title}</span>"


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Sandbox posts ({count})</title>
<style>
body {{ font-family: "Segoe UI", system-ui, sans-serif; background: #f5f5f5; margin: 2rem; }}
h1 {{ font-weight: 600; }}
.card {{ background: #fff; border-radius: 6px; box-shadow: 0 1px 3px #0002; max-width: 36rem;
  padding: 1rem 1.25rem; margin: 0 0 1rem; }}
.engage {{ border-left: 4px solid #0078d4; }}
.meta, .subtle {{ color: #616161; font-size: .8rem; }}
.size-large {{ font-size: 1.25rem; }} .size-medium {{ font-size: 1.1rem; }}
.weight-bolder {{ font-weight: 600; }}
.facts th {{ text-align: left; padding-right: 1rem; font-weight: 600; }}
.columns {{ display: flex; gap: 1rem; }} .column {{ flex: 1; }}
.button {{ display: inline-block; border: 1px solid #d1d1d1; border-radius: 4px;
  padding: .3rem .8rem; margin-top: .5rem; color: #242424; text-decoration: none; }}
.topic {{ color: #0078d4; margin-right: .5rem; }}
</style></head>
<body><h1>Shout-outs the sandbox received ({count})</h1>
<p class="subtle">Teams cards and Viva Engage messages, newest first.
JSON: <a href="/sandbox/posts.json">/sandbox/posts.json</a></p>
{posts}
</body></html>
"""
