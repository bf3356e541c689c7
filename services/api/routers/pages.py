"""The employee page and the admin page: static shells that call the API with a bearer token."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.api.deps import ResourcesDep
from services.api.i18n import Lang, LangQuery, page_texts
from services.api.me_texts import me_texts
from services.api.routers.screen import templates
from services.api.rules_editor_texts import rules_editor_texts

router = APIRouter(tags=["pages"])


def page(
    request: Request,
    name: str,
    lang: Lang,
    min_group_size: int,
    extra: dict[str, str] | None = None,
) -> HTMLResponse:
    texts = page_texts(lang) | (extra or {})
    texts["name_withheld"] = texts["name_withheld"].format(min_size=min_group_size)
    return templates.TemplateResponse(
        request, name, {"lang": lang, "t": texts, "texts": json.dumps(texts)}
    )


@router.get("/me", response_class=HTMLResponse)
async def employee_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """My rank and neighbours, badges, streak and what to try next."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    size = settings.min_group_size
    return page(request, "me.html", language, size, me_texts(language, size))


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Edit the rule set in forms (or YAML), preview, publish and roll back; display tokens."""

    settings = resources.settings
    language = lang or settings.api_default_lang
    size = settings.min_group_size
    return page(request, "admin.html", language, size, rules_editor_texts(language))
