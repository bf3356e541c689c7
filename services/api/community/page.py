"""The community page: give kudos, share a story, browse the library, redeem a code,
and for champions and admins the stories awaiting a decision."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.api.community.texts import community_texts
from services.api.deps import ResourcesDep
from services.api.i18n import LangQuery, page_texts
from services.api.routers.screen import templates

router = APIRouter(tags=["pages"])


@router.get("/community", response_class=HTMLResponse)
async def community_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Kudos, success stories, the use-case library and claim codes."""
    language = lang or resources.settings.api_default_lang
    texts = page_texts(language) | community_texts(language)
    return templates.TemplateResponse(
        request,
        "community.html",
        {"lang": language, "t": texts, "texts": json.dumps(texts)},
    )
