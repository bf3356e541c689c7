"""Delegated (user) tokens: what the password, device code, authorization code and refresh
grants return."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.responses import JSONResponse, Response

from services.sandbox.errors import entra_error
from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState
from services.sandbox.tokens import TokenRejected, b64url

OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}


def user_token(
    state: SandboxState,
    person: Person,
    scope: str,
    client_id: str,
    issuer: str,
    roles: list[str] | None = None,
    nonce: str | None = None,
) -> JSONResponse:
    """A delegated token for a sandbox person, with an id token for the client.

    As in Entra with app roles assigned, the id token carries the person's ``roles``
    (for the client's own app registration), and the ``nonce`` of the authorize request
    when there was one.
    """
    resources = [s for s in scope.split() if s not in OIDC_SCOPES]
    audience = resources[0].rsplit("/", 1)[0] if resources else client_id
    if audience.endswith(".default"):
        audience = client_id
    names = [s.rsplit("/", 1)[-1] for s in resources if not s.endswith("/.default")]
    identity = {
        "oid": person.id,
        "sub": b64url(person.id.encode())[:43],
        "name": person.display_name,
        "preferred_username": person.user_principal_name,
        "azp": client_id,
        "idtyp": "user",
    }
    assigned = roles if roles is not None else state.roles_of(person)
    claims: dict[str, Any] = {**identity, "roles": assigned}
    if names:
        claims["scp"] = " ".join(names)
    access, lifetime = state.tokens.issue(claims, audience, issuer)
    id_claims: dict[str, Any] = {**identity, "roles": assigned}
    if nonce is not None:
        id_claims["nonce"] = nonce
    id_token, _ = state.tokens.issue(id_claims, client_id, issuer)
    refresh, _ = state.tokens.issue(
        {"oid": person.id, "rt": True, "scope": scope}, "refresh", issuer
    )
    client_info = base64.urlsafe_b64encode(
        json.dumps({"uid": person.id, "utid": state.settings.tenant_id}).encode()
    ).decode()
    return JSONResponse(
        {
            "token_type": "Bearer",
            "scope": " ".join(resources) or scope,
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access,
            "id_token": id_token,
            "refresh_token": refresh,
            "client_info": client_info,
        },
        headers={"Cache-Control": "no-store"},
    )


def refresh(state: SandboxState, form: dict[str, str], client_id: str, issuer: str) -> Response:
    try:
        claims = state.tokens.validate(form.get("refresh_token", ""), ("refresh",))
    except TokenRejected:
        return entra_error(400, "invalid_grant", 9002313, "Invalid refresh token.")
    person = state.org.by_id(str(claims.get("oid", "")))
    if person is None or not person.present_on(state.data_date):
        return entra_error(400, "invalid_grant", 50057, "The user account is disabled.")
    return user_token(
        state, person, form.get("scope") or str(claims.get("scope", "")), client_id, issuer
    )
