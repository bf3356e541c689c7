"""Browser sign-in with the tenant (OpenID Connect), sign-out, and who is signed in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from services.api.auth.guard import check_csrf, unauthorized
from services.api.auth.oidc import FLOW_COOKIE, FLOW_SECONDS, OidcSignIn, SignInFailed, safe_next
from services.api.auth.sessions import COOKIE, close_session, open_session
from services.api.deps import ResourcesDep
from services.api.i18n import Lang, page_texts
from services.api.routers.screen import templates
from services.api.schemas import errors
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/auth", tags=["sign-in"])
NO_STORE = {"Cache-Control": "no-store"}
FAILED_PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
LANGUAGES: tuple[Lang, ...] = ("nl", "en", "fr")


class SessionView(BaseModel):
    """Who is signed in in this browser; scripts echo ``csrf`` in X-CSRF-Token."""

    person: str = Field(description="The person's pseudonymous id")
    name: str
    roles: list[str]
    csrf: str
    expires_at: datetime


def _signin(resources: ResourcesDep) -> OidcSignIn:
    signin = resources.guard.signin
    if signin is None:
        raise HTTPException(
            404, "sign-in is not configured on this gateway (API_AUTH_CLIENT_ID, API_AUTH_ISSUER)"
        )
    return signin


def _described(**codes: str) -> dict[int | str, dict[str, Any]]:
    return {int(code.removeprefix("s")): {"description": text} for code, text in codes.items()}


def _flow_cookie(value: str, max_age: int) -> str:
    # Lax: the tenant sends the browser back with a top-level GET, which carries it.
    return f"{FLOW_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax"


def _redirect_uri(request: Request, public_url: str | None) -> str:
    base = (public_url or str(request.base_url)).rstrip("/")
    return f"{base}/auth/callback"


def _lang_of(next_path: str | None, default: Lang) -> Lang:
    wanted = parse_qs(urlsplit(next_path or "").query).get("lang", [""])[0]
    for lang in LANGUAGES:
        if wanted == lang:
            return lang
    return default


@router.get(
    "/signin",
    response_class=RedirectResponse,
    status_code=302,
    responses=_described(
        s302="To the tenant's sign-in page",
        s404="Sign-in is not configured",
        s503="The tenant cannot be reached (a page saying so)",
    ),
)
async def sign_in(
    request: Request,
    resources: ResourcesDep,
    next: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Start signing in with Microsoft; come back to ``next`` (a path on this site)."""
    signin = _signin(resources)
    try:
        target, binding = await signin.begin(
            _redirect_uri(request, resources.settings.api_public_url), safe_next(next)
        )
    except SignInFailed as exc:
        failed = failed_page(
            request, str(exc), safe_next(next), resources.settings.api_default_lang
        )
        failed.status_code = 503
        return failed
    response = RedirectResponse(target, status_code=302, headers=NO_STORE)
    response.headers.append("set-cookie", _flow_cookie(binding, FLOW_SECONDS))
    return response


@router.get(
    "/callback",
    response_class=RedirectResponse,
    status_code=303,
    responses=_described(
        s303="Signed in: back to the page sign-in began on",
        s400="Sign-in did not complete (a page saying why, to try again)",
        s404="Sign-in is not configured",
    ),
)
async def callback(request: Request, resources: ResourcesDep) -> Response:
    """The tenant's answer: redeem the code, open a session, go back where sign-in began."""
    signin, store = _signin(resources), resources.guard.sessions
    binding = request.cookies.get(FLOW_COOKIE)
    answer = {k: v[:4096] for k, v in request.query_params.items()}
    pending = await signin.pending_next(binding)
    try:
        signed = await signin.finish(binding, answer)
    except SignInFailed as exc:
        log.info("sign-in failed", reason=str(exc))
        failed = failed_page(request, str(exc), pending, resources.settings.api_default_lang)
        failed.headers.append("set-cookie", _flow_cookie("", 0))
        return failed
    response = RedirectResponse(signed.next, status_code=303, headers=NO_STORE)
    previous = request.cookies.get(COOKIE)
    if previous:
        await store.delete(previous)
    await open_session(
        store,
        response,
        person=signed.person,
        roles=signed.roles,
        name=signed.name,
        label=signed.label,
    )
    response.headers.append("set-cookie", _flow_cookie("", 0))
    log.info("signed in", person=signed.person, roles=sorted(signed.roles))
    return response


@router.post(
    "/signout",
    status_code=204,
    responses=_described(s403="A session without its X-CSRF-Token"),
)
async def sign_out(request: Request, resources: ResourcesDep) -> Response:
    """End this browser's session (send X-CSRF-Token) and clear its cookie."""
    store = resources.guard.sessions
    session = await store.from_request(request)
    if session is not None:
        check_csrf(request, session)
    response = Response(status_code=204, headers=NO_STORE)
    await close_session(store, request, response)
    if session is not None:
        log.info("signed out", person=session.person)
    return response


@router.get("/session", response_model=SessionView, responses=errors(401))
async def current_session(request: Request, resources: ResourcesDep) -> JSONResponse:
    """Who is signed in in this browser: person, name, roles, CSRF value, end; or 401."""
    session = await resources.guard.sessions.from_request(request)
    if session is None:
        raise unauthorized("not signed in")
    return JSONResponse(session.public(), headers=NO_STORE)


def failed_page(request: Request, reason: str, next_path: str | None, default: Lang) -> Response:
    lang = _lang_of(next_path, default)
    texts = page_texts(lang)
    again = "/auth/signin?next=" + quote(safe_next(next_path), safe="/")
    response = templates.TemplateResponse(
        request,
        "signin_failed.html",
        {"lang": lang, "t": texts, "reason": reason, "again": again},
        status_code=400,
        headers={**NO_STORE, "Content-Security-Policy": FAILED_PAGE_POLICY},
    )
    return response
