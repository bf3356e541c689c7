"""The Teams app: the channel tab's set-up page, and signing a tab in with Teams.

- ``GET /teams/config``: where Teams sends someone adding an Uptake tab to a channel; they
  pick one team's or department's board (``/screen?team=`` or ``?department=``).
- ``POST /auth/teams``: a Teams single sign-on token in, a session cookie out
  (``SameSite=None; Partitioned``: the tab is a frame of Teams).
- ``GET /teams/auth-end``, ``POST /auth/teams/handoff`` and ``POST /auth/teams/redeem``:
  the fallback when single sign-on fails, a sign-in in a Teams pop-up whose session is
  carried over to the tab (services/api/auth/teams.py says how).
"""

from __future__ import annotations

import copy
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from services.api.auth.entra import InvalidToken
from services.api.auth.guard import check_csrf, unauthorized
from services.api.auth.sessions import COOKIE, SessionStore, close_session, open_session
from services.api.auth.teams import HandoffRefused, Handoffs, TeamsIdentity, TeamsSso
from services.api.auth.teams import teams_resource as resource_of
from services.api.deps import ResourcesDep
from services.api.i18n import LangQuery, page_texts, texts
from services.api.resources import Resources
from services.api.routers.auth import SessionView
from services.api.routers.screen import templates
from services.api.schemas import errors
from services.api.teams_texts import config_texts, group_texts
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["teams"])
NO_STORE = {"Cache-Control": "no-store"}
URL_SAFE = r"^[A-Za-z0-9_-]+$"


class TeamsToken(BaseModel):
    """The token ``authentication.getAuthToken()`` gave the tab."""

    token: str = Field(min_length=20, max_length=16_384)


class HandoffRequest(BaseModel):
    challenge: str = Field(
        min_length=43, max_length=43, pattern=URL_SAFE, description="SHA-256 of the tab's verifier"
    )


class HandoffCode(BaseModel):
    code: str


class Redeem(BaseModel):
    code: str = Field(min_length=20, max_length=128, pattern=URL_SAFE)
    verifier: str = Field(min_length=43, max_length=128, pattern=URL_SAFE)


def _sso(resources: Resources) -> TeamsSso:
    if resources.teams_sso is None:
        raise HTTPException(
            404, "sign-in is not configured on this gateway (API_AUTH_CLIENT_ID, API_AUTH_ISSUER)"
        )
    return resources.teams_sso


def public_url(request: Request, resources: Resources) -> str:
    return (resources.settings.api_public_url or str(request.base_url)).rstrip("/")


async def signed_in(
    request: Request, resources: Resources, who: TeamsIdentity, how: str
) -> JSONResponse:
    """Open a session for ``who`` whose cookie reaches the gateway inside Teams' frames."""
    store = resources.guard.sessions
    previous = request.cookies.get(COOKIE)
    if previous:
        await store.delete(previous)
    framed: SessionStore = copy.copy(store)
    framed.same_site = "none"
    cookies = Response()
    session = await open_session(
        framed, cookies, person=who.person, roles=who.roles, name=who.name, label=who.label
    )
    response = JSONResponse(session.public(), headers=NO_STORE)
    for value in cookies.headers.getlist("set-cookie"):
        response.headers.append("set-cookie", value)
    log.info("signed in", via=how, person=who.person, roles=sorted(who.roles))
    return response


@router.post(
    "/auth/teams",
    response_model=SessionView,
    responses=errors(400, 401, 404, 413),
)
async def teams_sign_in(body: TeamsToken, request: Request, resources: ResourcesDep) -> Response:
    """Sign in with the tab's Teams single sign-on token; opens a session (cookie)."""
    sso = _sso(resources)
    resource = resource_of(public_url(request, resources), sso.client_id)
    try:
        who = await sso.identity(body.token, resource)
    except InvalidToken as exc:
        log.info("teams sign-in refused", reason=str(exc))
        raise unauthorized(str(exc)) from None
    return await signed_in(request, resources, who, "teams")


@router.post(
    "/auth/teams/handoff",
    response_model=HandoffCode,
    responses=errors(400, 401, 403, 404, 413),
)
async def handoff(body: HandoffRequest, request: Request, resources: ResourcesDep) -> Response:
    """Trade the sign-in pop-up's session (send X-CSRF-Token) for a one-time code."""
    _sso(resources)
    store = resources.guard.sessions
    session = await store.from_request(request)
    if session is None:
        raise unauthorized("not signed in")
    check_csrf(request, session)
    code = await Handoffs(resources.redis).offer(session, body.challenge)
    response = JSONResponse({"code": code}, headers=NO_STORE)
    await close_session(store, request, response)  # the pop-up closes; the tab signs in
    return response


@router.post(
    "/auth/teams/redeem",
    response_model=SessionView,
    responses=errors(400, 401, 404, 413),
)
async def redeem(body: Redeem, request: Request, resources: ResourcesDep) -> Response:
    """Redeem the pop-up's one-time code with the tab's verifier; opens a session (cookie)."""
    _sso(resources)
    try:
        who = await Handoffs(resources.redis).take(body.code, body.verifier)
    except HandoffRefused as exc:
        raise unauthorized(str(exc)) from None
    return await signed_in(request, resources, who, "teams pop-up")


@router.get("/teams/config", response_class=HTMLResponse)
async def config_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """Set up a channel tab: which team's or department's board it shows."""
    settings = resources.settings
    language = lang or settings.api_default_lang
    words = page_texts(language) | texts(language) | group_texts(language) | config_texts(language)
    config = {
        "lang": language,
        "publicUrl": public_url(request, resources),
        "window": settings.api_screen_window,
        "texts": words,
    }
    return templates.TemplateResponse(
        request,
        "teams_config.html",
        {"lang": language, "t": words, "config": json.dumps(config).replace("<", "\\u003c")},
    )


@router.get("/teams/auth-end", response_class=HTMLResponse)
async def auth_end_page(
    request: Request, resources: ResourcesDep, lang: LangQuery = None
) -> HTMLResponse:
    """The sign-in pop-up's last page: hands the session to the tab, then closes."""
    language = lang or resources.settings.api_default_lang
    words = config_texts(language)
    return templates.TemplateResponse(
        request,
        "teams_auth_end.html",
        {"lang": language, "t": words, "texts": json.dumps(words)},
        headers=NO_STORE,
    )
