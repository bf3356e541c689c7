"""The office screen: a kiosk page and the live stream it listens to."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sse_starlette import EventSourceResponse

from services.api.deps import ResourcesDep
from services.api.i18n import Lang, texts
from services.api.live import encode
from shared.periods import Window

router = APIRouter(tags=["screen"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

ScreenWindow = Annotated[
    Window | None, Query(description="Board period for the screen (day, week, month, all)")
]


@router.get("/screen", response_class=HTMLResponse)
async def screen(
    request: Request,
    resources: ResourcesDep,
    lang: Annotated[Lang | None, Query(description="nl or en")] = None,
    window: ScreenWindow = None,
) -> HTMLResponse:
    """The kiosk page for office TVs (1920x1080 and 4K)."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    config = {
        "lang": language,
        "texts": texts(language),
        "window": str(window or settings.api_screen_window),
        "rotateSeconds": settings.api_screen_rotate_seconds,
        "boardSize": settings.board_size,
    }
    return templates.TemplateResponse(
        request,
        "screen.html",
        {"lang": language, "config": json.dumps(config), "t": texts(language)},
    )


@router.get(
    "/api/live",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live(request: Request, resources: ResourcesDep) -> EventSourceResponse:
    """Server-Sent Events for screens: 'boards' when boards change, 'celebration' on badges."""
    fanout = resources.live.fanout

    async def stream() -> AsyncIterator[bytes]:
        queue = fanout.subscribe()
        resources.metrics.screens.inc()
        try:
            yield encode("hello", {"screens": len(fanout)})
            while True:
                yield await queue.get()
        finally:
            fanout.unsubscribe(queue)
            resources.metrics.screens.dec()

    return EventSourceResponse(stream(), ping=15, headers={"Cache-Control": "no-store"})
