"""The demo's environment lets the gateway accept the sandbox tenant's tokens and sign
browsers in with it."""

from __future__ import annotations

from pathlib import Path

from devtools.demo import Ports, demo_environment, sandbox_ca
from devtools.demo_signin import AUDIENCE, Demo
from services.sandbox.authcodes import redirect_allowed
from services.sandbox.settings import SandboxSettings
from shared.settings import ApiSettings


def test_the_gateway_trusts_the_sandbox_issuer_audience_and_ca(tmp_path: Path) -> None:
    env = demo_environment(tmp_path, Ports(4001, 4002, 4003, 4004, 4005, 4006))

    assert env["API_AUTH_ISSUER"] == f"{env['GRAPH_AUTHORITY']}/v2.0"
    assert env["API_AUTH_ISSUER"].startswith("https://127.0.0.1:4004/")
    assert env["API_AUTH_AUDIENCE"] == AUDIENCE == "api://uptake"
    assert env["API_AUTH_CA_BUNDLE"] == str(sandbox_ca(tmp_path))
    demo = Demo.from_env(env)
    assert (demo.sandbox, demo.gateway) == ("https://127.0.0.1:4004", "http://127.0.0.1:4005")


def test_browsers_sign_in_with_the_sandbox_app_and_come_back_to_the_gateway(
    tmp_path: Path,
) -> None:
    env = demo_environment(tmp_path, Ports(4001, 4002, 4003, 4004, 4005, 4006))
    tenant = SandboxSettings()
    assert (env["API_AUTH_CLIENT_ID"], env["API_AUTH_CLIENT_SECRET"]) == (
        tenant.client_id,
        tenant.client_secret,
    )
    assert env["SANDBOX_BROWSER_PORT"] == "4006"
    # The redirect URI is where the browser opened the gateway, + /auth/callback.
    registered = SandboxSettings().redirect_uris
    assert redirect_allowed("http://127.0.0.1:4005/auth/callback", registered)
    assert redirect_allowed("http://localhost:4005/auth/callback", registered)
    api = ApiSettings.model_validate({k.lower(): v for k, v in env.items() if k.startswith("API_")})
    assert api.signin_configured
    assert api.signin_authority == env["GRAPH_AUTHORITY"]
