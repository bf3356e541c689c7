"""Injected throttling and server errors, and the request log."""

from __future__ import annotations

import httpx
import msal
import pytest

from services.sandbox.testing import GRAPH_SCOPE, SandboxHandle

REPORT = "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"


def test_throttling_then_recovery(own_tenant: SandboxHandle) -> None:
    fault = own_tenant.add_fault(
        "getMicrosoft365CopilotUsageUserDetail", status=429, retry_after=3, count=2
    )
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        first, second, third = (graph.get(REPORT) for _ in range(3))

    assert fault["remaining"] == 2
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "3"
    assert first.json()["error"]["code"] == "TooManyRequests"
    assert third.status_code == 200
    assert own_tenant.state()["faults"] == []
    statuses = [r["status"] for r in own_tenant.requests() if r["path"].startswith("/v1.0/copilot")]
    assert statuses == [429, 429, 200]


def test_server_errors_until_cleared(own_tenant: SandboxHandle) -> None:
    own_tenant.add_fault(r"/users/delta", status=503, count=None)
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        failures = [graph.get("/v1.0/users/delta").status_code for _ in range(4)]
        own_tenant.clear_faults()
        recovered = graph.get("/v1.0/users/delta").status_code
    assert failures == [503] * 4
    assert recovered == 200


def test_token_endpoint_5xx_raises_in_msal_then_recovers(own_tenant: SandboxHandle) -> None:
    # Retry-After 0: MSAL otherwise replays a cached 5xx for up to 60 seconds
    own_tenant.add_fault(r"/oauth2/v2\.0/token", status=500, count=1, retry_after=0)
    app = msal.ConfidentialClientApplication(
        own_tenant.client_id,
        authority=own_tenant.authority,
        client_credential=own_tenant.client_secret,
        instance_discovery=False,
        http_client=own_tenant.requests_session(),
    )
    # MSAL raises on a 5xx from the token endpoint instead of returning an error dict
    with pytest.raises(msal.exceptions.MsalServiceError):
        app.acquire_token_for_client([GRAPH_SCOPE])
    assert "access_token" in app.acquire_token_for_client([GRAPH_SCOPE])


def test_malformed_rows(own_tenant: SandboxHandle) -> None:
    own_tenant.configure(malformed_rows=2)
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        text = graph.get(REPORT).text
    lines = text.splitlines()[1:]
    assert sum("2025-02-30" in line for line in lines) == 2


def test_token_endpoint_400_fault_is_an_entra_error(own_tenant: SandboxHandle) -> None:
    own_tenant.add_fault(r"/oauth2/v2\.0/token", status=400, count=1)
    with own_tenant.http() as client:
        response = client.post(own_tenant.token_endpoint, data={"grant_type": "client_credentials"})
    body = response.json()
    assert response.status_code == 400
    assert {"error", "error_description", "error_codes", "timestamp", "correlation_id"} <= set(body)


def test_unknown_graph_paths_answer_in_graph_shape(own_tenant: SandboxHandle) -> None:
    with own_tenant.http() as client:
        graph = client.get("/v1.0/me/drive")
        control = client.get("/sandbox/nothing")
    assert graph.status_code == 404 and graph.json()["error"]["code"] == "ResourceNotFound"
    assert control.status_code == 404 and "detail" in control.json()


def test_a_delay_fault_slows_one_answer(own_tenant: SandboxHandle) -> None:
    own_tenant.add_fault("/healthz", status=200, delay_seconds=0.5, count=1)
    with own_tenant.http(timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/healthz")
        assert client.get("/healthz").status_code == 200


def test_graph_answers_carry_request_ids(own_tenant: SandboxHandle) -> None:
    token = own_tenant.app_token()
    headers = {"Authorization": f"Bearer {token}", "client-request-id": "abc-123"}
    with own_tenant.http(headers=headers) as graph:
        response = graph.get("/v1.0/admin/reportSettings")
    assert response.headers["client-request-id"] == "abc-123"
    assert response.headers["request-id"]
