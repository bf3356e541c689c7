"""The trust store: the public CAs plus GRAPH_CA_BUNDLE, for httpx and for requests."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from shared.trust import ConfigurationError, TrustStore


@pytest.fixture
def extra_ca(tmp_path: Path) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    path = tmp_path / "extra.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


def test_an_extra_ca_is_added_to_the_public_ones(
    tmp_path: Path, extra_ca: tuple[trustme.CA, Path]
) -> None:
    ca, extra = extra_ca
    combined = Path(TrustStore(extra).requests_verify()).read_text()
    assert ca.cert_pem.bytes().decode().strip() in combined
    assert combined.count("BEGIN CERTIFICATE") > 10
    with pytest.raises(ConfigurationError):
        TrustStore(tmp_path / "missing.pem")


def test_the_ssl_context_trusts_the_extra_ca_besides_the_public_ones(
    extra_ca: tuple[trustme.CA, Path],
) -> None:
    _, extra = extra_ca
    plain = TrustStore(None).ssl_context().cert_store_stats()["x509_ca"]
    context = TrustStore(extra).ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.cert_store_stats()["x509_ca"] == plain + 1


def test_requests_keeps_the_store_even_when_requests_ca_bundle_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, extra_ca: tuple[trustme.CA, Path]
) -> None:
    _, extra = extra_ca
    other = trustme.CA()
    elsewhere = tmp_path / "elsewhere.pem"
    other.cert_pem.write_to_path(str(elsewhere))
    store = TrustStore(extra)
    session = store.requests_session()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(elsewhere))
    merged = session.merge_environment_settings("https://graph.example", {}, None, None, None)
    assert merged["verify"] == store.requests_verify()
