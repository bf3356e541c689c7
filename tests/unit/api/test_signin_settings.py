"""Sign-in settings: the authority follows the issuer, and production refuses a sign-in
without a client secret or without an https address to come back to."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from shared.settings import ApiSettings

ISSUER = "https://login.microsoftonline.com/c9d0512d-d402-4cfa-becc-4407bcf48a2d/v2.0"
KEY = secrets.token_hex(32)  # a key published here would be refused in production
SECRET = "Qx98Q~r4nd0mLo0k1ngCl1entS3cretV4lue.Ab_Cd"


def production(**changes: Any) -> ApiSettings:
    options: dict[str, Any] = {
        "environment": "production",
        "pseudonym_key": KEY,
        "api_auth_issuer": ISSUER,
        "api_auth_audience": "api://uptake",
        "api_auth_client_id": "8b1f4c2e-5a7d-4e3b-9c61-2d0a7f5e9b13",
        "api_auth_client_secret": SECRET,
        "api_public_url": "https://uptake.contoso.be",
        **changes,
    }
    return ApiSettings(**options)


def test_the_authority_is_the_issuer_without_v2_unless_set() -> None:
    assert production().signin_authority == ISSUER.removesuffix("/v2.0")
    other = production(api_auth_authority="https://login.microsoftonline.com/contoso.be/")
    assert other.signin_authority == "https://login.microsoftonline.com/contoso.be"
    assert production().signin_configured
    assert not ApiSettings(api_auth_issuer=ISSUER).signin_configured


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"api_auth_client_secret": None}, "API_AUTH_CLIENT_SECRET"),
        ({"api_auth_client_secret": "  "}, "API_AUTH_CLIENT_SECRET"),
        ({"api_auth_client_secret": "change-me-please-0123456789"}, "placeholder"),
        ({"api_public_url": None}, "API_PUBLIC_URL"),
        ({"api_public_url": "http://uptake.contoso.be"}, "API_PUBLIC_URL"),
    ],
)
def test_production_refuses_an_open_sign_in(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        production(**changes)


def test_development_signs_in_without_those_and_nothing_needs_them_without_a_client() -> None:
    ApiSettings(api_auth_issuer=ISSUER, api_auth_client_id="app")
    production(api_auth_client_id=None, api_auth_client_secret=None, api_public_url=None)


def test_a_client_id_needs_an_issuer_to_check_id_tokens() -> None:
    with pytest.raises(ValidationError, match="API_AUTH_ISSUER"):
        ApiSettings(api_auth_client_id="app")


@pytest.mark.parametrize("same_site", ["strict", "None", ""])
def test_same_site_is_lax_or_none(same_site: str) -> None:
    with pytest.raises(ValidationError):
        ApiSettings(api_session_same_site=same_site)
