"""The office screen: a kiosk page and the live stream it listens to."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sse_starlette import EventSourceResponse

from services.api.auth.guard import credentials
from services.api.deps import BoardReaderDep, ResourcesDep
from services.api.i18n import LangQuery, texts
from services.api.schemas import errors
from services.api.screen_texts import screen_texts
from services.api.streams import RETRY_AFTER_SECONDS, SlotResponse, screen_events
from services.api.teams_texts import group_texts
from services.api.text import OneLine
from shared.periods import Window

router = APIRouter(tags=["screen"], responses=errors(401))
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

ScreenView = Literal[
    "teams", "people", "rising", "challenge", "adoption", "badges", "stories", "kudos"
]
GroupQuery = Annotated[
    OneLine | None, Query(min_length=1, max_length=256, description="Start with this group's board")
]
ScreenWindow = Annotated[
    Window | None, Query(description="Board period for the screen (day, week, month, all)")
]


@router.get("/screen", response_class=HTMLResponse)
async def screen(
    request: Request,
    resources: ResourcesDep,
    _: BoardReaderDep,
    lang: LangQuery = None,
    window: ScreenWindow = None,
    view: Annotated[ScreenView | None, Query(description="The view to start with")] = None,
    rotate: Annotated[bool, Query(description="Rotate through the views")] = True,
    team: GroupQuery = None,
    department: GroupQuery = None,
) -> HTMLResponse:
    """The kiosk page for office TVs (1920x1080 and 4K); with ``team`` or ``department``
    it starts with that group's board (a Teams channel tab shows one)."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    words = texts(language) | screen_texts(language) | group_texts(language)
    if team and department:
        both = "give a team or a department, not both"
        raise HTTPException(
            422, [{"loc": ["query", "department"], "msg": both, "type": "value_error"}]
        )
    group = {"scope": "teams", "name": team} if team else None
    if department:
        group = {"scope": "departments", "name": department}
    config = {
        "lang": language,
        "texts": words,
        "window": str(window or settings.api_screen_window),
        "rotateSeconds": settings.api_screen_rotate_seconds,
        "boardSize": settings.board_size,
        "startView": view or ("group" if group else "teams"),
        "group": group,
        "rotate": rotate,
    }
    return templates.TemplateResponse(
        request,
        "screen.html",
        # "<" escaped: a group name from the address must not end the script element.
        {"lang": language, "config": json.dumps(config).replace("<", "\\u003c"), "t": words},
    )


@router.get(
    "/api/live",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}},
        503: {"description": "Too many open streams on this replica: try again after Retry-After"},
    },
)
async def live(
    request: Request, resources: ResourcesDep, principal: BoardReaderDep
) -> EventSourceResponse:
    """Server-Sent Events for screens: 'boards' when boards change, 'celebration' on badges,
    'community' when a story, a kudos or a champion event asks a view to be read again."""
    slots = resources.live_streams
    if not slots.take():
        raise HTTPException(
            503,
            "too many screens are connected to this server; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    fanout = resources.live.fanout
    token = credentials(request) if principal.kind == "display" else None

    async def still_allowed() -> bool:
        return token is None or await resources.guard.displays.principal(token) is not None

    async def stream() -> AsyncIterator[bytes]:
        queue = fanout.subscribe()
        resources.metrics.screens.inc()
        try:
            async for message in screen_events(queue, {"screens": len(fanout)}, still_allowed):
                yield message
        finally:
            fanout.unsubscribe(queue)
            resources.metrics.screens.dec()

    return SlotResponse(stream(), slots, ping=15, headers={"Cache-Control": "no-store"})
