"""Teams single sign-on as the sandbox plays it: the token a Teams client gets for a tab.

In a real tenant a tab's ``authentication.getAuthToken()`` makes the Teams client (which
the app registration pre-authorizes) ask Entra for ``{Application ID URI}/access_as_user``
on behalf of the signed-in person. ``POST /sandbox/tokens/teams-sso`` hands out that
token at once: the audience is the Application ID URI asked for (``api://{host}/{client
id}``, or the client id itself as v2.0 tokens carry it), ``scp`` is ``access_as_user``,
the authorized party the Teams client, the roles the person's app roles.

For tests of what a gateway refuses, a token can be issued ``age_seconds`` ago (expired
once that is past its lifetime) or by another ``tenant`` (another issuer).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from services.sandbox.errors import entra_error
from services.sandbox.graphauth import sandbox
from services.sandbox.tokens import b64url

router = APIRouter(prefix="/sandbox", tags=["sandbox control"])

SSO_SCOPE = "access_as_user"
TEAMS_CLIENTS = {
    "desktop": "1fec8e78-bce4-4aaf-ab1b-5451cc387264",  # Teams desktop and mobile
    "web": "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",  # Teams on the web
}


class TeamsTokenRequest(BaseModel):
    upn: str | None = Field(default=None, max_length=256)
    index: int | None = Field(default=None, ge=0)
    resource: str = Field(
        min_length=1, max_length=2048, description="api://{host}/{client id}, or the client id"
    )
    client: Literal["desktop", "web"] = "web"
    roles: list[str] | None = None  # the person's demo roles when left out
    age_seconds: int = Field(default=0, ge=0, le=7 * 86400)
    tenant: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]{1,100}$")


@router.post("/tokens/teams-sso")
async def teams_sso_token(body: TeamsTokenRequest, request: Request) -> Any:
    """The access token a Teams client obtains for a tab's single sign-on."""
    s = sandbox(request)
    client_id = s.settings.client_id
    if body.resource != client_id and not body.resource.endswith(f"/{client_id}"):
        return entra_error(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {body.resource} was not found in the tenant "
            f"named {s.settings.tenant_id}.",
        )
    person = s.person_by_upn(body.upn) if body.upn else None
    if person is None and body.index is not None and body.index < len(s.org.people):
        person = s.org.people[body.index]
    if person is None:
        raise HTTPException(404, "No such person.")
    tenant = body.tenant or s.settings.tenant_id
    issuer = f"{str(request.base_url).rstrip('/')}/{tenant}/v2.0"
    issued = int(time.time()) - body.age_seconds
    claims: dict[str, Any] = {
        "oid": person.id,
        "sub": b64url(person.id.encode())[:43],
        "name": person.display_name,
        "preferred_username": person.user_principal_name,
        "azp": TEAMS_CLIENTS[body.client],
        "azpacr": "0",
        "scp": SSO_SCOPE,
        "roles": body.roles if body.roles is not None else s.roles_of(person),
        "tid": tenant,
        "iat": issued,
        "nbf": issued,
        "exp": issued + s.tokens.lifetime,
    }
    token, _ = s.tokens.issue(claims, body.resource, issuer)
    lifetime = max(0, issued + s.tokens.lifetime - int(time.time()))
    return {"token_type": "Bearer", "expires_in": lifetime, "access_token": token}
