"""Entra ID as the sandbox plays it: OpenID discovery, JWKS, token and device code.

Interactive sign-in (the authorize endpoint and its person picker) is in
``services/sandbox/authorize.py``; its codes are redeemed here.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.sandbox.authcodes import CodeRejected
from services.sandbox.errors import entra_error
from services.sandbox.signin import refresh, user_token
from services.sandbox.state import SandboxState
from services.sandbox.tokens import ASSERTION_TYPE, GRAPH_AUDIENCE, TokenRejected

router = APIRouter(tags=["entra"])
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _browser_base(request: Request) -> str:
    """Where browsers sign in: the plain HTTP listener when there is one (no CA to trust)."""
    settings = _state(request).settings
    if settings.browser_port is None:
        return f"{_base(request)}/{settings.tenant_id}"
    return f"http://{request.url.hostname}:{settings.browser_port}/{settings.tenant_id}"


def _unknown_tenant(tenant: str) -> JSONResponse:
    return entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")


@router.get("/{tenant}/v2.0/.well-known/openid-configuration")
async def openid_configuration(tenant: str, request: Request) -> Response:
    """OpenID Connect discovery document, as MSAL reads it."""
    state = _state(request)
    if tenant not in (state.settings.tenant_id, "organizations", "common"):
        return _unknown_tenant(tenant)
    base = f"{_base(request)}/{state.settings.tenant_id}"
    return JSONResponse(
        {
            "issuer": f"{base}/v2.0",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{_browser_base(request)}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": [
                "authorization_code",
                "client_credentials",
                "password",
                "refresh_token",
                DEVICE_GRANT,
            ],
            "tenant_region_scope": "EU",
        }
    )


@router.get("/{tenant}/discovery/v2.0/keys")
async def keys(tenant: str, request: Request) -> Response:
    """Public signing keys (JWKS) for validating the sandbox's tokens."""
    return JSONResponse(_state(request).tokens.jwks())


@router.post("/{tenant}/oauth2/v2.0/devicecode")
async def device_code(tenant: str, request: Request) -> Response:
    """Start a device code flow; the sandbox approves it at once for the demo admin."""
    state = _state(request)
    if tenant != state.settings.tenant_id:
        return _unknown_tenant(tenant)
    code = secrets.token_urlsafe(24)
    user_code = secrets.token_hex(4).upper()
    state.device_codes[code] = state.org.people[0].id
    uri = f"{_base(request)}/sandbox/devicelogin"
    return JSONResponse(
        {
            "device_code": code,
            "user_code": user_code,
            "verification_uri": uri,
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, open {uri} and enter the code {user_code}.",
        }
    )


@router.post("/{tenant}/oauth2/v2.0/token")
async def token(tenant: str, request: Request) -> Response:
    """The token endpoint: client credentials, password, device code, refresh token."""
    state = _state(request)
    if tenant != state.settings.tenant_id:
        return _unknown_tenant(tenant)
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    form.update(_basic_credentials(request.headers.get("authorization", "")))
    client_id = form.get("client_id", "")
    issuer = f"{_base(request)}/{tenant}/v2.0"
    grant = form.get("grant_type", "")
    if grant == "client_credentials":
        return _client_credentials(
            state, form, client_id, issuer, f"{issuer[:-5]}/oauth2/v2.0/token"
        )
    if client_id != state.settings.client_id and grant in ("password", DEVICE_GRANT):
        return _unknown_client(client_id, tenant)
    if grant == "password":
        person = state.person_by_upn(form.get("username", ""))
        if person is None or not secrets.compare_digest(
            form.get("password", ""), state.settings.user_password
        ):
            return entra_error(
                400,
                "invalid_grant",
                50126,
                "Error validating credentials due to invalid username or password.",
            )
        return user_token(state, person, form.get("scope", ""), client_id, issuer)
    if grant == DEVICE_GRANT:
        oid = state.device_codes.pop(form.get("device_code", ""), None)
        person = state.org.by_id(oid) if oid else None
        if person is None:
            return entra_error(400, "expired_token", 70020, "The provided code has expired.")
        return user_token(state, person, form.get("scope", ""), client_id, issuer)
    if grant == "authorization_code":
        return _authorization_code(state, form, client_id, issuer)
    if grant == "refresh_token":
        return refresh(state, form, client_id, issuer)
    return entra_error(
        400,
        "unsupported_grant_type",
        70003,
        f"The app requested an unsupported grant type '{grant}'.",
    )


def _basic_credentials(header: str) -> dict[str, str]:
    """client_secret_basic: the client id and secret in an HTTP Basic header."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except ValueError:
        return {}
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


def _unknown_client(client_id: str, tenant: str) -> JSONResponse:
    return entra_error(
        400,
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
    )


def _authorization_code(
    state: SandboxState, form: dict[str, str], client_id: str, issuer: str
) -> Response:
    """Redeem a code from the picker: the same client, redirect URI and the PKCE verifier."""
    refused = _client_refused(state, form, client_id, f"{issuer[:-5]}/oauth2/v2.0/token")
    if refused is not None:
        return refused
    try:
        grant = state.auth_codes.redeem(
            form.get("code", ""),
            client_id=client_id,
            redirect_uri=form.get("redirect_uri", ""),
            code_verifier=form.get("code_verifier", ""),
        )
    except CodeRejected as exc:
        return entra_error(400, "invalid_grant", exc.code, str(exc))
    person = state.org.by_id(grant.person_id)
    if person is None or not person.present_on(state.data_date):
        return entra_error(400, "invalid_grant", 50057, "The user account is disabled.")
    return user_token(state, person, grant.scope, client_id, issuer, nonce=grant.nonce)


def _client_refused(
    state: SandboxState, form: dict[str, str], client_id: str, endpoint: str
) -> Response | None:
    """Why this confidential client is not who it says (secret or certificate), or None."""
    settings = state.settings
    if client_id != settings.client_id:
        return _unknown_client(client_id, settings.tenant_id)
    if form.get("client_assertion_type") == ASSERTION_TYPE:
        try:
            state.tokens.verify_assertion(form.get("client_assertion", ""), client_id, endpoint)
        except TokenRejected as exc:
            return entra_error(401, "invalid_client", 700027, f"Client assertion failed: {exc}")
    elif "client_secret" not in form:
        return entra_error(
            401,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the "
            f"'{form.get('grant_type', '')}' grant type.",
        )
    elif not secrets.compare_digest(form["client_secret"], settings.client_secret):
        return entra_error(
            401,
            "invalid_client",
            7000215,
            f"Invalid client secret provided. Ensure the secret being sent in the request is "
            f"the client secret value, not the client secret ID, for a secret added to app "
            f"'{client_id}'.",
        )
    return None


def _client_credentials(
    state: SandboxState, form: dict[str, str], client_id: str, issuer: str, endpoint: str
) -> Response:
    settings = state.settings
    refused = _client_refused(state, form, client_id, endpoint)
    if refused is not None:
        return refused
    scopes = form.get("scope", "").split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        return entra_error(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {' '.join(scopes)} is not valid. Client credential "
            "flows must have a scope value with /.default suffixed to the resource "
            "identifier (application ID URI).",
        )
    audience = scopes[0].removesuffix("/.default")
    roles = settings.app_roles if audience == GRAPH_AUDIENCE else []
    access, lifetime = state.tokens.issue(
        {
            "appid": client_id,
            "azp": client_id,
            "oid": state.service_principal_id,
            "sub": state.service_principal_id,
            "idtyp": "app",
            "roles": roles,
            "app_displayname": "Uptake",
        },
        audience,
        issuer,
    )
    return JSONResponse(
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
