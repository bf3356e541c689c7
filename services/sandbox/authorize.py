"""Interactive sign-in as the sandbox plays it: ``/{tenant}/oauth2/v2.0/authorize``.

The authorization code flow with PKCE (``response_type=code``, ``S256``): the request
is checked as Entra checks it (tenant, client, registered redirect URI, response type,
code challenge). A request that cannot name a safe place to send the browser back to
gets an error page; any other mistake goes back to the redirect URI as ``error=``.
A good request shows the person picker (``services/sandbox/picker.py``); choosing a
person posts the same parameters back, and the browser returns to the redirect URI
with a code and the request's ``state``. The token endpoint
(``services/sandbox/entra.py``) redeems the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.sandbox.authcodes import redirect_allowed
from services.sandbox.picker import ICON, STYLESHEET, error_page, picker_page
from services.sandbox.state import SandboxState

router = APIRouter(tags=["entra"])
# What the picker's forms carry back unchanged.
PASSED_ON = (
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
)
MAX_PARAMETER = 2048


@dataclass(frozen=True)
class Refused:
    """A request the sandbox refuses: on a page, or back at the redirect URI."""

    error: str
    code: int
    description: str
    redirect_to: str | None = None  # None: the redirect URI itself is not trusted
    state: str | None = None


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def check(state: SandboxState, tenant: str, params: dict[str, str]) -> Refused | None:
    """Why this authorize request is refused, or None when the picker may be shown."""
    settings = state.settings
    if any(len(value) > MAX_PARAMETER for value in params.values()):
        return Refused("invalid_request", 90015, "A parameter is too long.")
    if tenant not in (settings.tenant_id, "organizations", "common"):
        return Refused("invalid_request", 90002, f"Tenant '{tenant}' not found.")
    client_id = params.get("client_id", "")
    if client_id != settings.client_id:
        return Refused(
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{settings.tenant_id}'.",
        )
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_allowed(redirect_uri, settings.redirect_uris):
        return Refused(
            "invalid_request",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{client_id}'.",
        )
    back = {"redirect_to": redirect_uri, "state": params.get("state")}
    if params.get("response_type") != "code":
        return Refused(
            "unsupported_response_type",
            700054,
            "The sandbox signs in with the authorization code flow: response_type=code.",
            **back,
        )
    if params.get("response_mode", "query") != "query":
        return Refused(
            "invalid_request", 900144, "The sandbox returns codes in the query only.", **back
        )
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return Refused(
            "invalid_request",
            50148,
            "Proof Key for Code Exchange is required: send code_challenge with "
            "code_challenge_method=S256.",
            **back,
        )
    if "openid" not in params.get("scope", "").split():
        return Refused(
            "invalid_scope", 70011, "The scope must include 'openid' to sign in.", **back
        )
    if params.get("prompt") == "none":
        return Refused(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
            **back,
        )
    return None


def refused(found: Refused) -> Response:
    if found.redirect_to is None:
        return error_page(found.code, found.description)
    query = {"error": found.error, "error_description": f"AADSTS{found.code}: {found.description}"}
    if found.state is not None:
        query["state"] = found.state
    return RedirectResponse(_with_query(found.redirect_to, query), status_code=302)


def _with_query(uri: str, query: dict[str, str]) -> str:
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{urlencode(query)}"


def _form_origin(redirect_uri: str) -> str:
    parts = urlsplit(redirect_uri)
    return f"{parts.scheme}://{parts.netloc}"


@router.get("/{tenant}/oauth2/v2.0/authorize", response_class=HTMLResponse)
async def authorize(tenant: str, request: Request) -> Response:
    """Sign in: the person picker, for a valid authorization code request with PKCE."""
    state = _state(request)
    params = {k: v for k, v in request.query_params.items() if k in (*PASSED_ON, "prompt")}
    found = check(state, tenant, params)
    if found is not None:
        return refused(found)
    query = request.query_params.get("q") or request.query_params.get("login_hint") or ""
    carried = {k: params[k] for k in PASSED_ON if k in params}
    return picker_page(
        state,
        action=request.url.path,
        carried=carried,
        query=query[:100],
        return_origin=_form_origin(params["redirect_uri"]),
    )


@router.post("/{tenant}/oauth2/v2.0/authorize")
async def choose(tenant: str, request: Request) -> Response:
    """The person chosen in the picker: back to the redirect URI with a code."""
    state = _state(request)
    body = await request.body()
    if len(body) > 16 * MAX_PARAMETER:
        return error_page(90015, "The request is too large.")
    form = dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))
    params = {k: form[k] for k in PASSED_ON if k in form}
    found = check(state, tenant, params)
    if found is not None:
        return refused(found)
    person = state.org.by_id(str(form.get("person", "")))
    if person is None or not person.present_on(state.data_date):
        return refused(
            Refused(
                "access_denied",
                50034,
                "The user account does not exist in the directory.",
                params["redirect_uri"],
                params.get("state"),
            )
        )
    code = state.auth_codes.issue(
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        person_id=person.id,
        scope=params.get("scope", ""),
        nonce=params.get("nonce"),
        code_challenge=params["code_challenge"],
    )
    answer = {"code": code}
    if "state" in params:
        answer["state"] = params["state"]
    return RedirectResponse(_with_query(params["redirect_uri"], answer), status_code=303)


@router.get("/sandbox/signin/picker.css", include_in_schema=False)
async def stylesheet() -> Response:
    return Response(STYLESHEET.read_bytes(), media_type="text/css")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    return Response(ICON.read_bytes(), media_type="image/svg+xml")
