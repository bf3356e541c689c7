"""The adoption cockpit page (``/insights``): a static shell that reads the insight APIs.

Sign-in as on the other pages; the figures come from ``/api/insights/adoption`` (the
headline) and ``/api/insights/cockpit`` (the charts), so the page holds no data itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.api.cockpit.texts import cockpit_texts
from services.api.deps import ResourcesDep
from services.api.i18n import LangQuery
from services.api.routers.pages import page

router = APIRouter(tags=["pages"])


@router.get("/insights", response_class=HTMLResponse)
async def insights_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Adoption insights for adoption leads: trend per app, departments, tiers, intents."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    size = settings.min_group_size
    return page(request, "insights.html", language, size, cockpit_texts(language))
