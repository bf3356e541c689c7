"""Credentials, authority handling and the one-line token error."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from services.ingest.auth import AuthError, client_credential, uses_instance_discovery
from shared.settings import GraphSettings


def test_instance_discovery_only_for_microsoft_login_hosts() -> None:
    assert uses_instance_discovery("https://login.microsoftonline.com/contoso")
    assert not uses_instance_discovery("https://127.0.0.1:8443/contoso")


def test_authority_defaults_to_the_tenant_on_microsoft_login() -> None:
    assert (
        GraphSettings(tenant_id="t1", authority=None).authority_url
        == "https://login.microsoftonline.com/t1"
    )
    assert GraphSettings(authority="https://sandbox:9/t/").authority_url == "https://sandbox:9/t"


def test_token_error_is_one_line_with_the_correlation_id() -> None:
    error = AuthError("invalid_client", "AADSTS7000215: Invalid secret.\r\nTrace ID: 1", "c-1")
    assert str(error) == (
        "Graph authentication failed: invalid_client: AADSTS7000215: Invalid secret. "
        "Trace ID: 1 (correlation_id=c-1)"
    )
    assert "\n" not in str(error)


def test_secret_or_certificate(tmp_path: Path) -> None:
    assert (
        client_credential(GraphSettings(client_secret=SecretStr("s"), certificate_path=None)) == "s"
    )
    pem = tmp_path / "app.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n")
    credential = client_credential(
        GraphSettings(certificate_path=pem, certificate_thumbprint="AB12")
    )
    assert credential == {"private_key": pem.read_text(), "thumbprint": "AB12"}
    with pytest.raises(AuthError, match="THUMBPRINT"):
        client_credential(GraphSettings(certificate_path=pem, certificate_thumbprint=None))
    with pytest.raises(AuthError, match="GRAPH_CLIENT_SECRET"):
        client_credential(GraphSettings(client_secret=None, certificate_path=None))
