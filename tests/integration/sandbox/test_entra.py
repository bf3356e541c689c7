"""The token endpoint against the real MSAL library over HTTPS."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import msal
import pytest

from services.sandbox.testing import GRAPH_SCOPE, SandboxHandle, sandbox_tenant


def confidential(tenant: SandboxHandle, credential: object) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        tenant.client_id,
        authority=tenant.authority,
        client_credential=credential,
        instance_discovery=False,
        http_client=tenant.requests_session(),
    )


def jwks_key(tenant: SandboxHandle, token: str) -> jwt.PyJWK:
    with tenant.http() as client:
        config = client.get(f"/{tenant.tenant_id}/v2.0/.well-known/openid-configuration").json()
        keys = client.get(config["jwks_uri"]).json()
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in keys["keys"] if k["kid"] == kid)
    return jwt.PyJWK(jwk)


def test_msal_client_secret_gets_a_graph_token_signed_by_the_jwks_key(
    tenant: SandboxHandle,
) -> None:
    result = confidential(tenant, tenant.client_secret).acquire_token_for_client([GRAPH_SCOPE])

    assert result["token_type"] == "Bearer"
    assert result["expires_in"] > 300
    claims = jwt.decode(
        result["access_token"],
        jwks_key(tenant, result["access_token"]),
        algorithms=["RS256"],
        audience="https://graph.microsoft.com",
    )
    assert claims["iss"] == tenant.issuer
    assert claims["tid"] == tenant.tenant_id
    assert claims["appid"] == tenant.client_id
    assert "Reports.Read.All" in claims["roles"]


def test_msal_certificate_credential(tenant: SandboxHandle) -> None:
    credential = {
        "private_key": tenant.client_key_path.read_text(),
        "thumbprint": tenant.client_cert_thumbprint,
    }
    result = confidential(tenant, credential).acquire_token_for_client([GRAPH_SCOPE])
    assert "access_token" in result, result


def test_msal_certificate_with_public_certificate_uses_ps256(tenant: SandboxHandle) -> None:
    credential = {
        "private_key": tenant.client_key_path.read_text(),
        "public_certificate": tenant.client_cert_path.read_text(),
    }
    result = confidential(tenant, credential).acquire_token_for_client([GRAPH_SCOPE])
    assert "access_token" in result, result


def test_wrong_secret_is_an_entra_error(tenant: SandboxHandle) -> None:
    result = confidential(tenant, "not-the-secret").acquire_token_for_client([GRAPH_SCOPE])

    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215")
    assert result["error_codes"] == [7000215]
    assert result["correlation_id"]
    assert result["timestamp"]


def test_unknown_tenant_and_bad_scope(tenant: SandboxHandle) -> None:
    with tenant.http() as client:
        unknown = client.post("/nope/oauth2/v2.0/token", data={"grant_type": "client_credentials"})
        scope = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "client_credentials",
                "client_id": tenant.client_id,
                "client_secret": tenant.client_secret,
                "scope": "User.Read",
            },
        )
        grant = client.post(tenant.token_endpoint, data={"grant_type": "implicit"})
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [90002]
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_password_grant_carries_app_roles(tenant: SandboxHandle) -> None:
    # MSAL's username/password flow first asks the authority host on port 443 for the
    # user realm, so the grant is exercised over plain HTTP here.
    admin = tenant.people(limit=1)[0]
    with tenant.http() as client:
        response = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "password",
                "client_id": tenant.client_id,
                "username": admin["userPrincipalName"].upper(),
                "password": tenant.user_password,
                "scope": "api://uptake/.default openid profile offline_access",
            },
        )
    result = response.json()

    claims = jwt.decode(
        result["access_token"],
        jwks_key(tenant, result["access_token"]),
        algorithms=["RS256"],
        audience="api://uptake",
    )
    assert claims["oid"] == admin["id"]
    assert claims["roles"] == ["Admin", "Insights.Read"]
    assert claims["preferred_username"] == admin["userPrincipalName"]
    assert claims["exp"] > claims["iat"]
    assert result["id_token"] and result["refresh_token"]


def test_msal_device_flow_signs_in_the_demo_admin(tenant: SandboxHandle) -> None:
    app = msal.PublicClientApplication(
        tenant.client_id,
        authority=tenant.authority,
        instance_discovery=False,
        http_client=tenant.requests_session(),
    )
    flow = app.initiate_device_flow(scopes=["api://uptake/.default"])
    result = app.acquire_token_by_device_flow(flow)

    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["Admin", "Insights.Read"]
    assert claims["oid"] == tenant.people(limit=1)[0]["id"]


def test_wrong_password_is_invalid_grant(tenant: SandboxHandle) -> None:
    admin = tenant.people(limit=1)[0]
    with tenant.http() as client:
        response = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "password",
                "client_id": tenant.client_id,
                "username": admin["userPrincipalName"],
                "password": "wrong",
                "scope": "openid",
            },
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_user_token_shortcut_with_chosen_roles(tenant: SandboxHandle) -> None:
    someone = tenant.people(limit=5)[3]
    token = tenant.user_token(upn=someone["userPrincipalName"], roles=["Insights.Read"])
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["Insights.Read"]
    assert claims["aud"] == "api://uptake"
    assert claims["oid"] == someone["id"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-jwt"])
def test_graph_requires_a_valid_bearer_token(tenant: SandboxHandle, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    with tenant.http(headers=headers) as client:
        response = client.get(
            "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"
        )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "InvalidAuthenticationToken"
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])


def test_a_user_token_is_not_a_graph_token(tenant: SandboxHandle) -> None:
    token = tenant.user_token()
    with tenant.http(headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.get("/v1.0/admin/reportSettings")
    assert response.status_code == 401


def test_ca_is_required(tenant: SandboxHandle) -> None:
    with pytest.raises(httpx.ConnectError), httpx.Client(verify=True) as client:
        client.get(f"{tenant.graph_base_url}/healthz")


def test_client_secret_basic(tenant: SandboxHandle) -> None:
    with tenant.http() as client:
        response = client.post(
            tenant.token_endpoint,
            data={"grant_type": "client_credentials", "scope": GRAPH_SCOPE},
            auth=(tenant.client_id, tenant.client_secret),
        )
    assert response.status_code == 200 and response.json()["access_token"]


def test_an_app_without_a_permission_gets_403(tmp_path: Path) -> None:
    with sandbox_tenant(tmp_path, people=20, app_roles=["Reports.Read.All"]) as limited:
        token = limited.app_token()
        with limited.http(headers={"Authorization": f"Bearer {token}"}) as graph:
            settings = graph.get("/v1.0/admin/reportSettings")
            report = graph.get(
                "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"
            )
    assert settings.status_code == 403
    assert settings.json()["error"]["code"] == "Authorization_RequestDenied"
    assert report.status_code == 200


def test_refresh_token_grant_renews_the_user_token(tenant: SandboxHandle) -> None:
    admin = tenant.people(limit=1)[0]
    with tenant.http() as client:
        first = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "password",
                "client_id": tenant.client_id,
                "username": admin["userPrincipalName"],
                "password": tenant.user_password,
                "scope": "api://uptake/.default offline_access",
            },
        ).json()
        renewed = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "refresh_token",
                "client_id": tenant.client_id,
                "refresh_token": first["refresh_token"],
            },
        ).json()
        forged = client.post(
            tenant.token_endpoint,
            data={
                "grant_type": "refresh_token",
                "client_id": tenant.client_id,
                "refresh_token": first["access_token"],
            },
        )
    claims = jwt.decode(renewed["access_token"], options={"verify_signature": False})
    assert claims["oid"] == admin["id"] and claims["aud"] == "api://uptake"
    assert forged.status_code == 400 and forged.json()["error"] == "invalid_grant"
